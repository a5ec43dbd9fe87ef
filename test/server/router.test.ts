import { describe, expect, it } from 'vitest';
import { Router } from '../../src/server/router.js';

const noop = () => {};

describe('router', () => {
  it('captures :param segments, decoded', () => {
    const router = new Router();
    router.add('GET', '/call/:api/:eventId', noop);
    const match = router.match('GET', '/call/predict/ab%20c');
    expect(match).toMatchObject({ kind: 'found', params: { api: 'predict', eventId: 'ab c' } });
  });

  it('prefers literal segments over parameters, whatever the order added', () => {
    const router = new Router();
    router.add('GET', '/models/:name', noop);
    router.add('GET', '/models/ready', noop);
    const match = router.match('GET', '/models/ready');
    expect(match.kind === 'found' && match.route.pattern).toBe('/models/ready');
  });

  it('tells a wrong method apart from an unknown path', () => {
    const router = new Router();
    router.add('POST', '/echo', noop);
    expect(router.match('PUT', '/echo')).toEqual({ kind: 'wrong-method', allowedMethods: ['POST'] });
    expect(router.match('GET', '/missing')).toEqual({ kind: 'not-found' });
    expect(router.match('GET', '/echo/extra')).toEqual({ kind: 'not-found' });
  });

  it('ignores trailing slashes and is case-insensitive on the method', () => {
    const router = new Router();
    router.add('get', '/health', noop);
    expect(router.match('GET', '/health/').kind).toBe('found');
  });
});
