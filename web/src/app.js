// onechild's browser script: starts the nhsuk-frontend components present on
// the page (buttons, error summary focus, ...), then the charts. Pages work
// without it: every chart has a table of the same figures.
import { initAll } from 'nhsuk-frontend';
import { initCharts } from './charts.js';
import { initGrowthCharts } from './growth.js';

initAll();
initCharts(document);
initGrowthCharts(document);
