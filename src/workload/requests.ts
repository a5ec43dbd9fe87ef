import { isTokenizerEncoding, loadTokenizer, type Tokenizer, type TokenizerSpec } from '../measure/tokens.js';
import type { PhaseName } from '../model/progress.js';
import type { Timeline } from '../model/timeline.js';
import type { ChatMessage, LlmRequest, ProtocolClient, RequestInput } from '../protocols/types.js';
import { mixSeed, seededRng, type Rng } from '../random.js';
import { ConfigError } from '../model/config-error.js';
import type { Dataset } from '../scenario/dataset.js';
import { familiesOf, type Target } from '../protocols/registry.js';
import { conversationFormatOf, conversationOf, type Conversation, type ConversationFormat } from './conversations.js';
import { drawLength } from './lengths.js';
import { WORKLOAD_PROTOCOLS, workloadSchema, type Workload } from './schema.js';
import { SyntheticText } from './synthetic.js';

/** One conversation in progress: what was said so far, and which turn comes next. */
interface Session {
  messages: ChatMessage[];
  /** The next turn, 0-based. */
  turn: number;
  turns: number;
  seed: number;
  conversation?: Conversation;
}

/** How far above the mean input length the synthetic corpus stream must reach (σ multiples). */
const LONGEST_SIGMAS = 6;

/**
 * Makes each request's LLM payload: synthetic prompts of exact token counts, or a dataset's
 * conversations, with output lengths, a shared prefix and multi-turn sessions.
 *
 * Sessions: a request continues an idle session of its phase (one whose previous turn has
 * ended) or starts a new one, so turns of one conversation never overlap and each turn
 * carries the server's real answers to the turns before it. A session whose turn failed ends.
 * This works in closed and open loops alike (in an open loop an arrival is a turn).
 */
export class LlmWorkload {
  private readonly idle = new Map<PhaseName, Session[]>();
  private readonly synthetic?: SyntheticText;
  private readonly prefix: string;

  private constructor(
    private readonly config: Workload,
    private readonly tokenizer: Tokenizer,
    private readonly dataset: Dataset | undefined,
    private readonly format: ConversationFormat | undefined,
    seed: number,
  ) {
    const { input_tokens: input, prefix_tokens: prefixTokens } = config;
    if (input || prefixTokens > 0) {
      const longest = prefixTokens + (input ? Math.ceil(input.mean + LONGEST_SIGMAS * input.std) : 0);
      this.synthetic = new SyntheticText(tokenizer, seed, longest);
    }
    this.prefix = prefixTokens > 0 ? this.synthetic!.text(prefixTokens, seededRng(mixSeed(seed, 0x9f1)) ) : '';
  }

  /**
   * The workload of a scenario, or undefined when it has none. A conversation dataset is read
   * here (each row checked once, every problem reported together).
   */
  static create(config: Workload | undefined, tokenizer: Tokenizer | undefined, dataset: Dataset | undefined, seed: number): LlmWorkload | undefined {
    if (!config) return undefined;
    const problems: { path: string; message: string }[] = [];
    const format = dataset?.rows?.length ? conversationFormatOf(dataset.rows[0]!) : undefined;
    if (format && dataset?.rows) {
      dataset.rows.forEach((row, i) => {
        const c = conversationOf(row, format);
        if (typeof c === 'string' && problems.length < 5) problems.push({ path: 'dataset.path', message: `row ${i + 1} is not a ${format} conversation: ${c}` });
      });
    }
    if (!tokenizer && (config.input_tokens || config.prefix_tokens > 0 || format)) {
      problems.push({ path: 'tokenizer', message: 'the workload counts tokens to build prompts and output lengths; set tokenizer to auto, an encoding or a tokenizer.json, not "none"' });
    }
    if (config.sessions && !format) problems.push({ path: 'workload.sessions', message: 'sessions replay a conversation dataset (ShareGPT or OpenAI messages); for synthetic sessions set workload.turns instead' });
    if (format && config.input_tokens) problems.push({ path: 'workload.input_tokens', message: `the ${format} dataset supplies the prompts; drop input_tokens (or the dataset)` });
    if (problems.length) throw new ConfigError(problems);
    return new LlmWorkload(config, tokenizer!, dataset, format, config.seed ?? seed);
  }

  /** A new load point starts its sessions afresh. */
  resetSessions(): void {
    this.idle.clear();
  }

  /** The payload of one request (and the session it continues, when sessions are on). */
  next(input: RequestInput): { llm: LlmRequest; session?: Session } {
    const sessions = this.config.turns > 1 || (this.format !== undefined && this.config.sessions);
    if (!sessions) return { llm: this.turnOf(this.newSession(input, 1), input.vars.seed) };
    const phase = input.phase ?? 'measure';
    const idle = this.idle.get(phase) ?? [];
    this.idle.set(phase, idle);
    const session = idle.shift() ?? this.newSession(input, this.config.turns);
    return { llm: this.turnOf(session, session.seed), session };
  }

  /** A turn ended: an ok answer joins the history and the session waits for its next turn. */
  ended(session: Session | undefined, llm: LlmRequest, t: Timeline, phase: PhaseName = 'measure'): void {
    if (!session) return;
    session.turn++;
    if (t.outcome !== 'ok' || session.turn >= session.turns) return;
    session.messages = [...(llm.messages ?? []), { role: 'assistant', content: t.text ?? '' }];
    this.idle.get(phase)?.push(session);
  }

  private newSession(input: RequestInput, turns: number): Session {
    const conversation = this.format && input.vars.row ? (conversationOf(input.vars.row, this.format) as Conversation) : undefined;
    const session: Session = { messages: [], turn: 0, turns: conversation ? (this.config.sessions ? conversation.turns.length : 1) : turns, seed: input.vars.seed, conversation };
    if (conversation?.system) session.messages.push({ role: 'system', content: conversation.system });
    return session;
  }

  private turnOf(session: Session, seed: number): LlmRequest {
    const random: Rng = seededRng(mixSeed(seed, session.turn + 1));
    const prefix = session.turn === 0 ? this.prefix : '';
    let user: string | undefined;
    let maxTokens: number | undefined;
    const recorded = session.conversation?.turns[session.turn];
    if (recorded) {
      user = prefix ? `${prefix} ${recorded.user}` : recorded.user;
      // vLLM's ShareGPT benchmark asks for as many tokens as the recorded reply had.
      if (recorded.assistant !== undefined) maxTokens = Math.max(1, this.tokenizer.count(recorded.assistant));
    } else if (this.config.input_tokens) {
      const own = drawLength(this.config.input_tokens, random);
      user = this.synthetic!.text(own + (prefix ? this.config.prefix_tokens : 0), random, prefix);
    } else if (prefix) user = prefix;
    if (this.config.output_tokens) maxTokens = drawLength(this.config.output_tokens, random);
    const llm: LlmRequest = {};
    if (user !== undefined) llm.messages = [...session.messages, { role: 'user', content: user }];
    if (maxTokens !== undefined) {
      llm.maxTokens = maxTokens;
      if (this.config.output_tokens && this.config.fixed_output) llm.fixedOutput = true;
    }
    if (session.turns > 1) llm.turn = session.turn + 1;
    return llm;
  }
}

/** A client that sends each request with its workload payload (and keeps sessions going). */
export function withWorkload(client: ProtocolClient, workload: LlmWorkload | undefined): ProtocolClient {
  if (!workload) return client;
  workload.resetSessions();
  return {
    family: client.family,
    async send(input) {
      const { llm, session } = workload.next(input);
      const t = await client.send({ ...input, llm });
      workload.ended(session, llm, t, input.phase);
      return t;
    },
    probe: client.probe?.bind(client),
    close: () => client.close(),
  };
}

/** The run's tokenizer (unless `tokenizer: none`) and its LLM workload (when it has one): loaded once per thread. */
export async function loadTextTools(
  scenario: { tokenizer: string; workload?: Workload; load: { seed: number }; target: { protocol: string } },
  dataset: Dataset | undefined,
): Promise<{ tokenizer?: Tokenizer; tokenizerSpec?: TokenizerSpec; workload?: LlmWorkload }> {
  // `auto` uses a tokenizer (30 MB of tables, a second to load) only for targets that answer with text.
  const text = familiesOf(scenario.target as Target).some((f) => f.family === 'text');
  const spec = scenario.tokenizer === 'none' || (scenario.tokenizer === 'auto' && !text) ? undefined : scenario.tokenizer === 'auto' ? 'o200k_base' : scenario.tokenizer;
  // A conversation dataset is a workload of its own: its conversations are the prompts.
  const conversations = dataset?.rows?.length && conversationFormatOf(dataset.rows[0]!) !== undefined && WORKLOAD_PROTOCOLS.includes(scenario.target.protocol);
  const config = scenario.workload ?? (conversations ? workloadSchema.parse({}) : undefined);
  // Answers and prompts are counted in the tokenizer process (measure/tokens.ts, loadTokenCounter).
  // The tokenizer loads here too only where it is needed here: the workload builds its prompts with
  // it, and a tokenizer.json is read here so a bad one is a config error before any request.
  const here = spec !== undefined && (config !== undefined || !isTokenizerEncoding(spec));
  const tokenizer = here ? await loadTokenizer(spec) : undefined;
  return { tokenizer, tokenizerSpec: spec, workload: LlmWorkload.create(config, tokenizer, dataset, scenario.load.seed) };
}
