import { hostileSuite } from './hostile-suite.js';

hostileSuite('ndjson');
