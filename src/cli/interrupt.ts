/**
 * Set by `agora`'s launcher in the environment of the process that runs a command: that process leaves the one
 * "interrupted" line to the launcher, which prints it whether the command exits in time or is killed.
 */
export const PARENT_REPORTS_INTERRUPT = 'AGORA_PARENT_REPORTS_INTERRUPT';
