// The record's growth chart (being written, issue 9).
export function initGrowthCharts(root) {}
