/** The server's own timings over HTTP, for clients in another process. Times convert with each record's `timeOriginMs`. */
import type { Router } from '../router.js';

export function registerGroundTruthRoutes(router: Router): void {
  const noRecord = { groundTruth: false };
  router.add('GET', '/ground-truth', (context) => context.sendJson(200, context.server.groundTruth.all()), noRecord);
  router.add(
    'GET',
    '/ground-truth/:id',
    (context) => {
      const record = context.server.groundTruth.get(context.params.id!);
      if (record) context.sendJson(200, record);
      else context.sendJson(404, { detail: `no ground-truth record for request "${context.params.id}" (kept: the last ${context.settings.maxGroundTruthRecords})` });
    },
    noRecord,
  );
  router.add(
    'DELETE',
    '/ground-truth',
    (context) => {
      const cleared = context.server.groundTruth.size;
      context.server.groundTruth.clear();
      context.sendJson(200, { cleared });
    },
    noRecord,
  );
}
