/**
 * The users' standard test texts (seeds/002: "ALWAYS use these for consistent comparison"),
 * shipped as the built-in dataset `tts-standard`. Each is benchmarked and reported
 * separately, with its word count.
 */
export const TTS_STANDARD_TEXTS = {
  ultra_short: 'Hello there.',
  short: 'Hi, this is Sarah from customer service. How can I help you today?',
  medium:
    'Thank you for calling. I can see your account here. Let me check the details of your recent transaction and explain what happened with your payment.',
  long: "I understand you're concerned about the charges on your account. Let me walk you through each item on your bill. First, there's your monthly subscription fee, then we have the usage charges from last month, and finally a small processing fee that applies to all accounts.",
  telephony_typical:
    'Hi, this is Alex from Krim AI support. I can see your account details here. Your current balance is forty-five dollars and thirty-two cents. Would you like me to process a payment for you today?',
} as const;

export const TTS_STANDARD_DATASET = 'tts-standard';

/** Words as the seed counts them: `len(text.split())`. */
export function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/** The rows of `tts-standard`: `{name, text, words}`, in the seed's order. */
export function ttsStandardRows(): { name: string; text: string; words: number }[] {
  return Object.entries(TTS_STANDARD_TEXTS).map(([name, text]) => ({ name, text, words: wordCount(text) }));
}

/** What a speech target says when neither its input nor a dataset row gives it text. */
export const DEFAULT_SPEECH_TEXT = TTS_STANDARD_TEXTS.short;
