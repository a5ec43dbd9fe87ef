import type { RouteContext } from './route-context.js';

export type RouteHandler = (context: RouteContext) => void | Promise<void>;

export interface RouteOptions {
  /** Keep a ground-truth record for requests on this route (inference routes). Off for control routes like /health. */
  groundTruth?: boolean;
}

export interface Route {
  method: string;
  /** As registered, e.g. `/ground-truth/:id`. */
  pattern: string;
  handler: RouteHandler;
  groundTruth: boolean;
  segments: string[];
  /** Literal segments outrank `:param` ones, so `/call/config` wins over `/call/:api`. */
  literalSegments: number;
}

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'wrong-method'; allowedMethods: string[] }
  | { kind: 'not-found' };

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

/**
 * Method + path routing with `:param` segments; enough for the emulated APIs
 * (OpenAI, Gradio's `/call/:api/:eventId`, KServe's `/v2/models/:name/infer`).
 */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: RouteHandler, options: RouteOptions = {}): void {
    if (!pattern.startsWith('/')) throw new Error(`route pattern "${pattern}" must start with "/"`);
    const segments = splitPath(pattern);
    const literalSegments = segments.filter((segment) => !segment.startsWith(':')).length;
    this.routes.push({ method: method.toUpperCase(), pattern, handler, groundTruth: options.groundTruth ?? true, segments, literalSegments });
  }

  match(method: string, path: string): RouteMatch {
    const pathSegments = splitPath(path);
    let best: { route: Route; params: Record<string, string> } | undefined;
    const allowedMethods = new Set<string>();
    for (const route of this.routes) {
      const params = matchSegments(route.segments, pathSegments);
      if (!params) continue;
      if (route.method !== method.toUpperCase()) {
        allowedMethods.add(route.method);
        continue;
      }
      // The most literal route wins; among equals, the first registered.
      if (!best || route.literalSegments > best.route.literalSegments) best = { route, params };
    }
    if (best) return { kind: 'found', ...best };
    if (allowedMethods.size) return { kind: 'wrong-method', allowedMethods: [...allowedMethods] };
    return { kind: 'not-found' };
  }
}

function matchSegments(pattern: string[], path: string[]): Record<string, string> | undefined {
  if (pattern.length !== path.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i]!;
    const actual = path[i]!;
    if (expected.startsWith(':')) {
      try {
        params[expected.slice(1)] = decodeURIComponent(actual);
      } catch {
        return undefined; // malformed percent-encoding cannot name anything
      }
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return params;
}
