/**
 * The one table of commands. `contributes.commands` in package.json declares the same ids (the
 * manifest test holds the two together), and the extension registers exactly these, so a command
 * cannot be declared without a handler or registered without a declaration.
 */
export const COMMANDS = {
  runStage: 'serverModels.runStage',
  stopStage: 'serverModels.stopStage',
  benchmarkStage: 'serverModels.benchmarkStage',
  openNotes: 'serverModels.openNotes',
  openRecording: 'serverModels.openRecording',
  exportTrace: 'serverModels.exportTrace',
  createPlayground: 'serverModels.createPlayground',
  openStageSource: 'serverModels.openStageSource',
} as const;

export type CommandName = keyof typeof COMMANDS;
export type CommandId = (typeof COMMANDS)[CommandName];

/** Context keys the extension sets for `when` clauses; namespaced so they never clash. */
export const CONTEXT_KEYS = {
  /** True while a stage started by Run Stage is running. */
  stageRunning: 'serverModels.stageRunning',
  /** True once at least one recording exists (Export Trace makes sense). */
  hasRecording: 'serverModels.hasRecording',
} as const;
