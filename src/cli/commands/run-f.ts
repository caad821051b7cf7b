/**
 * A command's behaviour, replaceable: GitHub CLI's `runF` (its `NewCmdX(f, runF)` constructors,
 * e.g. https://github.com/cli/cli/blob/trunk/pkg/cmd/repo/view/view.go). Each `registerX` of this
 * folder takes an optional `runF`; given one, the command's action hands it the parsed, typed
 * options instead of importing and running the behaviour. Tests parse an argv with commander
 * in-process and check what the flags became, without spawning the binary or touching any state.
 */

/** Receives what the command line said, parsed and typed, in place of the command's behaviour. */
export type RunF<T> = (parsed: T) => void | Promise<void>;
