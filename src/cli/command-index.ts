import type { Command } from './command.js';

/** An `agora` command as `agora --help` lists it, with the module that implements it. */
export interface CommandEntry {
  /** Words that select it, e.g. `ledger export` (equal to the loaded command's `name`). */
  readonly name: string;
  /** One line for the overview (equal to the loaded command's `summary`). */
  readonly summary: string;
  /** Imports the command's module. */
  load(): Promise<Command>;
}

/**
 * Every `agora` command, in the order `agora --help` lists them. A command's module (and the layers it pulls in:
 * the simulator, governance, anchoring...) is imported only when that command runs, so `agora --help` or
 * `agora id show` does not pay for all of them. test/cli/command-index.test.ts checks this list against the
 * modules in commands/.
 */
export const commandIndex: readonly CommandEntry[] = [
  {
    name: 'init',
    summary: 'create an agent key and an empty ledger, and register the agent in it',
    load: async () => (await import('./commands/init.js')).initCommand,
  },
  {
    name: 'id show',
    summary: "print this agent's id and ZK commitment",
    load: async () => (await import('./commands/id-show.js')).idShowCommand,
  },
  {
    name: 'agents',
    summary: 'the agents registered in the ledger: ids, names, registration time and reputation',
    load: async () => (await import('./commands/agents.js')).agentsCommand,
  },
  {
    name: 'ledger stats',
    summary: 'count the events in the ledger, by type',
    load: async () => (await import('./commands/ledger.js')).ledgerStatsCommand,
  },
  {
    name: 'ledger export',
    summary: 'write every event as canonical JSON lines, in append order',
    load: async () => (await import('./commands/ledger.js')).ledgerExportCommand,
  },
  {
    name: 'ledger import',
    summary: 'verify and import events from JSON lines (files, or - for stdin)',
    load: async () => (await import('./commands/ledger.js')).ledgerImportCommand,
  },
  {
    name: 'rep show',
    summary: "an agent's reputation score (ppb of all trust, certified), percentile and what it comes from",
    load: async () => (await import('./commands/rep.js')).repShowCommand,
  },
  {
    name: 'rep top',
    summary: 'the best-scored agents (ppb of all trust, certified)',
    load: async () => (await import('./commands/rep.js')).repTopCommand,
  },
  {
    name: 'rep publish',
    summary: 'publish the best scores to Nostr relays as NIP-85 trusted assertions (kind 30382)',
    load: async () => (await import('./commands/rep.js')).repPublishCommand,
  },
  {
    name: 'fetch',
    summary: 'call an L402 API, paying its invoice through your Lightning node, and keep the signed receipt',
    load: async () => (await import('./commands/fetch.js')).fetchCommand,
  },
  {
    name: 'rate',
    summary: 'rate a service you paid for, from its receipt: -2 (garbage, fraud) to 2 (excellent)',
    load: async () => (await import('./commands/rate.js')).rateCommand,
  },
  {
    name: 'proposal create',
    summary: 'snapshot the weights from the ledger and sign a proposal into it',
    load: async () => (await import('./commands/governance.js')).proposalCreateCommand,
  },
  {
    name: 'proposal list',
    summary: 'the proposals in the ledger, newest first, with their state now',
    load: async () => (await import('./commands/governance.js')).proposalListCommand,
  },
  {
    name: 'proposal show',
    summary: 'a proposal, its state now and its rules',
    load: async () => (await import('./commands/governance.js')).proposalShowCommand,
  },
  {
    name: 'proposal snapshot',
    summary: "rebuild a proposal's weight snapshot from the ledger and check its root",
    load: async () => (await import('./commands/governance.js')).proposalSnapshotCommand,
  },
  {
    name: 'proposal cancel',
    summary: 'withdraw your proposal before its voting window opens',
    load: async () => (await import('./commands/governance.js')).proposalCancelCommand,
  },
  {
    name: 'vote',
    summary: 'vote on a proposal anonymously (zero-knowledge proofs of membership and weight, one per piece)',
    load: async () => (await import('./commands/governance.js')).voteCommand,
  },
  {
    name: 'tally',
    summary: "a proposal's result, counted from the votes in the ledger",
    load: async () => (await import('./commands/governance.js')).tallyCommand,
  },
  {
    name: 'votes anonymity',
    summary:
      "who could have cast each vote on a proposal, and whom the votes one ballot links name: the observer's view",
    load: async () => (await import('./commands/anonymity.js')).votesAnonymityCommand,
  },
  {
    name: 'stake lock',
    summary: 'lock sats with a custodian through a hold invoice paid from your LND node or NWC wallet',
    load: async () => (await import('./commands/stake.js')).stakeLockCommand,
  },
  {
    name: 'stake status',
    summary: 'the stakes of an agent (default: yours), or those you hold as custodian',
    load: async () => (await import('./commands/stake.js')).stakeStatusCommand,
  },
  {
    name: 'stake release',
    summary: 'as custodian: release a stake (cancel its hold invoice), or every stake whose time is up',
    load: async () => (await import('./commands/stake.js')).stakeReleaseCommand,
  },
  {
    name: 'stake serve',
    summary:
      'as custodian: take signed stake offers over HTTP, release stakes when their time is up, record expired holds',
    load: async () => (await import('./commands/stake.js')).stakeServeCommand,
  },
  {
    name: 'anchor commit',
    summary:
      "put a closed proposal's commitment (or a dispute opening's or answer's id) on Bitcoin in an OP_RETURN output, paid from your key's wallet",
    load: async () => (await import('./commands/anchor.js')).anchorCommitCommand,
  },
  {
    name: 'anchor status',
    summary:
      "a proposal's (or dispute event's) anchoring: committed, and once confirmed deep enough, recorded with its SPV proof",
    load: async () => (await import('./commands/anchor.js')).anchorStatusCommand,
  },
  {
    name: 'anchor verify',
    summary: 'check an anchor proof offline: transaction, Merkle branch, headers and their proof of work',
    load: async () => (await import('./commands/anchor.js')).anchorVerifyCommand,
  },
  {
    name: 'anchor export-ots',
    summary:
      'write a confirmed anchor as an OpenTimestamps proof (.ots) and as a JSON proof for `anchor verify`',
    load: async () => (await import('./commands/anchor.js')).anchorExportOtsCommand,
  },
  {
    name: 'witness round',
    summary:
      'as a publication witness of the network, list the events you hold and have not listed yet (witness.batch); anchor each batch with agora anchor commit',
    load: async () => (await import('./commands/witness.js')).witnessRoundCommand,
  },
  {
    name: 'simulate',
    summary:
      'run a machine economy: payments, reputation, anonymous votes, a blacklist decision and its anchor',
    load: async () => (await import('./commands/simulate.js')).simulateCommand,
  },
  {
    name: 'sync',
    summary:
      'exchange ledger events with Nostr relays: publish what they lack, import (verified) what is new',
    load: async () => (await import('./commands/sync.js')).syncCommand,
  },
  {
    name: 'dev lightning',
    summary:
      'serve an in-memory Lightning test network to other agora commands (--lightning-dev), no LND needed',
    load: async () => (await import('./commands/dev.js')).devLightningCommand,
  },
  {
    name: 'dispute open',
    summary: 'dispute a receipt you are party to, with a claim and a bond (a custodial stake lock of yours)',
    load: async () => (await import('./commands/dispute.js')).disputeOpenCommand,
  },
  {
    name: 'dispute answer',
    summary: 'answer a dispute against you with your evidence and a counter-bond, before its deadline',
    load: async () => (await import('./commands/dispute.js')).disputeAnswerCommand,
  },
  {
    name: 'dispute draw',
    summary: "record the seed block's header of a dispute's round and the panel it draws (anyone may)",
    load: async () => (await import('./commands/dispute.js')).disputeDrawCommand,
  },
  {
    name: 'dispute vote',
    summary: 'vote, sealed and anonymous, on a dispute whose panel drew you; reveal it after voting closes',
    load: async () => (await import('./commands/dispute.js')).disputeVoteCommand,
  },
  {
    name: 'dispute settle',
    summary:
      "as custodian: move a final dispute's bonds as the ledger says (release the winners', settle the losers')",
    load: async () => (await import('./commands/dispute-bonds.js')).disputeSettleCommand,
  },
  {
    name: 'dispute claim',
    summary:
      "claim your shares of a final dispute's settled bonds (as winner, or as a juror with its payout key)",
    load: async () => (await import('./commands/dispute-bonds.js')).disputeClaimCommand,
  },
  {
    name: 'dispute reveal',
    summary: 'reveal your sealed votes on a dispute, once voting closed',
    load: async () => (await import('./commands/dispute.js')).disputeRevealCommand,
  },
  {
    name: 'dispute attend',
    summary: 'attest in your own name that you voted on a dispute, so that you are not penalized as absent',
    load: async () => (await import('./commands/dispute.js')).disputeAttendCommand,
  },
  {
    name: 'dispute appeal',
    summary: 'appeal the round you lost: 2n+1 new jurors, against a larger bond',
    load: async () => (await import('./commands/dispute.js')).disputeAppealCommand,
  },
  {
    name: 'dispute show',
    summary: "a dispute's parties, rounds, outcome and the bonds' settlement",
    load: async () => (await import('./commands/dispute.js')).disputeShowCommand,
  },
  {
    name: 'dispute list',
    summary: 'the disputes in the ledger and where each stands',
    load: async () => (await import('./commands/dispute.js')).disputeListCommand,
  },
  {
    name: 'rules',
    summary: 'the standing rules in force and what they trigger now',
    load: async () => (await import('./commands/dispute.js')).rulesCommand,
  },
];
