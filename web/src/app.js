// onechild's browser script: starts the nhsuk-frontend components present on
// the page (buttons, error summary focus, ...). Pages work without it.
import { initAll } from 'nhsuk-frontend';

initAll();
