import { describe, expect, it } from 'vitest';
import { compileHttpRequest, compileTemplate, templateProblems } from '../../src/scenario/template.js';
import type { TemplateVars } from '../../src/protocols/types.js';

const vars = (over: Partial<TemplateVars> = {}): TemplateVars => ({ index: 3, seed: 1234, ...over });

describe('request templates', () => {
  it('draws every placeholder on its own: six random.uniform in one body are six values, the same for the same seed', () => {
    const body = { values: Array.from({ length: 6 }, () => '{{random.uniform 9.2 10.8}}') };
    const render = compileTemplate(body);
    const a = (render(vars()) as { values: number[] }).values;
    expect(new Set(a).size).toBe(6);
    for (const v of a) expect(v >= 9.2 && v < 10.8).toBe(true);
    expect((render(vars()) as { values: number[] }).values).toEqual(a);
    expect((render(vars({ seed: 99 })) as { values: number[] }).values).not.toEqual(a);
    // Two placeholders inside one string differ too.
    const two = String(compileTemplate('{{random.int 0 1000000}}-{{random.int 0 1000000}}')(vars())).split('-');
    expect(two[0]).not.toBe(two[1]);
  });

  it('keeps the url, headers and body draws apart: a placeholder added to the body leaves the url as it was', () => {
    const url = 'http://127.0.0.1:1/x/{{uuid}}';
    const one = compileHttpRequest({ url, body: { id: '{{uuid}}' } })(vars());
    const two = compileHttpRequest({ url, body: { extra: '{{uuid}}', id: '{{uuid}}' } })(vars());
    expect(one.url).toBe(two.url);
    const id = /\/x\/(.+)$/.exec(one.url)![1];
    expect(JSON.parse(one.body!).id).not.toBe(id);
  });

  it('renders url path and query, headers and body, with content types', () => {
    const render = compileHttpRequest({
      url: 'http://127.0.0.1:1/fit/series_{{run_id}}_{{index}}',
      query: { version: '{{random.choice 0 1}}', call: '{{index}}' },
      headers: { 'x-call': 'call-{{index}}', authorization: 'Bearer t0ken' },
      body: { n: '{{index}}', phase: '{{phase}}' },
    });
    const r = render(vars({ runId: '20260101_000000', phase: 'warmup' }));
    const u = new URL(r.url);
    expect(u.pathname).toBe('/fit/series_20260101_000000_3');
    expect(u.searchParams.get('call')).toBe('3');
    expect(['0', '1']).toContain(u.searchParams.get('version'));
    expect(r.headers['x-call']).toBe('call-3');
    expect(r.headers.authorization).toBe('Bearer t0ken');
    expect(r.headers['content-type']).toBe('application/json');
    expect(JSON.parse(r.body!)).toEqual({ n: 3, phase: 'warmup' });
    // A string body is sent as is, with its own content type.
    const text = compileHttpRequest({ url: 'http://h/', body: 'call {{index}}', contentType: 'text/csv' })(vars());
    expect(text).toMatchObject({ body: 'call 3', headers: { 'content-type': 'text/csv' } });
  });

  it("lets a build module's parts replace the templates and its values feed them", () => {
    const render = compileHttpRequest({ url: 'http://h/a/{{name}}', body: { from: 'template' } });
    const r = render(vars({ values: { name: 'v1' }, built: { body: { from: 'module' }, headers: { 'x-b': '1' } } }));
    expect(r.url).toBe('http://h/a/v1');
    expect(JSON.parse(r.body!)).toEqual({ from: 'module' });
    expect(r.headers['x-b']).toBe('1');
    expect(render(vars({ values: { name: 'v' }, built: { url: 'http://h/other' } })).url).toBe('http://h/other');
  });

  it('gives timestamps with offsets, earlier steps\' values, call values before row fields', () => {
    const before = Math.floor(Date.now() / 1000);
    const ts = compileTemplate(['{{timestamp}}', '{{timestamp +5}}', '{{timestamp_ms -1000}}'])(vars()) as number[];
    expect(ts[0]).toBeGreaterThanOrEqual(before);
    expect(ts[1]! - ts[0]!).toBe(5);
    expect(Math.abs(ts[2]! / 1000 - (ts[0]! - 1))).toBeLessThan(2);
    const v = vars({ row: { name: 'row', text: 'hello' }, values: { name: 'value' }, steps: { fit: { series_id: 's-7' } } });
    expect(compileTemplate({ a: '{{name}}', b: '{{text}}', c: '{{row.name}}', d: '{{steps.fit.series_id}}' })(v)).toEqual({ a: 'value', b: 'hello', c: 'row', d: 's-7' });
    expect(() => compileTemplate('{{steps.fit.model}}')(v)).toThrow(/step "fit" has no value "model"/);
    expect(() => compileTemplate('{{missing}}')(vars())).toThrow(/no value "missing" for this call/);
  });

  it('reports malformed placeholders before anything is rendered', () => {
    expect(templateProblems({ a: '{{random.uniform 1}}', b: '{{random.gauss 1 2}}', c: '{{timestamp soon}}', d: '{{index}}' })).toEqual([
      expect.stringContaining('expected two numbers'),
      expect.stringContaining('unknown helper "random.gauss"'),
      expect.stringContaining('expected an offset'),
    ]);
  });
});
