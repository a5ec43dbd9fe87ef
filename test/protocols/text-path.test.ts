import { describe, expect, it } from 'vitest';
import { gradioText } from '../../src/protocols/gradio/values.js';
import { resolveScenario } from '../../src/scenario/load-scenario.js';
import { runCli } from '../helpers/cli.js';

describe('--text-path', () => {
  it('reaches the last element with [-1] (a chatbot history)', () => {
    const outputs = [[{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'first' }, { role: 'assistant', content: 'last one' }], null];
    expect(gradioText(outputs, '0[-1].content')).toBe('last one');
    expect(gradioText(outputs, '0[1].content')).toBe('first');
    expect(gradioText(['a', 'b'], '-1')).toBe('b');
  });

  it('is checked when the scenario is read: a malformed path is a config error naming the field, before any request', async () => {
    expect(() => resolveScenario({ target: { protocol: 'gradio', url: 'http://127.0.0.1:1', text_path: '0[x].content' } })).toThrow(/target\.text_path: bad JSON path segment "0\[x\]"/);
    const r = await runCli(['run', '--protocol', 'gradio', '--url', 'http://127.0.0.1:9', '--text-path', '0[last]', '-n', '1', '--no-write']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('target.text_path');
  });
});
