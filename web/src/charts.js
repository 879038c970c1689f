// The outcomes dashboard's charts (being written, issue 9).
export function initCharts(root) {}
