/**
 * The layering of src/ (README "Layout"), checked by `npm run lint:layers` as part of `npm test`:
 * model/ at the bottom imports nothing else in src; reports only read results; protocols never
 * reach up into the runner, the reports or the CLI; and no import circles anywhere.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle ties layers together; move the shared part into the lower module.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'model-imports-nothing',
      severity: 'error',
      comment: 'src/model/ is the bottom layer (timeline, results, metric table): it imports no other folder of src.',
      from: { path: '^src/model/' },
      to: { path: '^src/', pathNot: '^src/model/' },
    },
    {
      name: 'report-reads-results-only',
      severity: 'error',
      comment: 'A report renders a Results value: it never imports a protocol, the runner, the CLI or the server.',
      from: { path: '^src/report/' },
      to: { path: '^src/(protocols|run|cli|server)/' },
    },
    {
      name: 'protocols-stay-below-run',
      severity: 'error',
      comment: 'A protocol sends one request and follows it; it never imports the runner, a report or the CLI.',
      from: { path: '^src/protocols/' },
      to: { path: '^src/(run|report|cli)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
