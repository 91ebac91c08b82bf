/** The release being sealed, from flags first and then from the CI system's environment. */
import type { ReleaseInfo } from '../runner/run-result.js';

/** Environment variables CI systems use for the commit being built, in order of preference. */
export const CI_SHA_VARIABLES = ['GITHUB_SHA', 'CI_COMMIT_SHA', 'BUILDKITE_COMMIT', 'CIRCLE_SHA1', 'GIT_COMMIT', 'BITBUCKET_COMMIT', 'DRONE_COMMIT_SHA', 'SEMAPHORE_GIT_SHA'];

/** What the user said about the release on the command line. */
export interface ReleaseFlags {
  readonly release?: string;
  readonly sha?: string;
  readonly mergeSha?: string;
  readonly previousVersion?: string;
}

/** The commit the CI system is building, or undefined outside CI. */
export function ciSha(env: NodeJS.ProcessEnv): string | undefined {
  return CI_SHA_VARIABLES.map((name) => env[name]).find((value) => value !== undefined && value !== '');
}

/** Combines flags with the CI environment; fields nobody knows are null. */
export function resolveReleaseInfo(flags: ReleaseFlags, env: NodeJS.ProcessEnv): ReleaseInfo {
  return {
    version: flags.release ?? null,
    sha: flags.sha ?? ciSha(env) ?? null,
    merge_sha: flags.mergeSha ?? null,
    previous_version: flags.previousVersion ?? null,
  };
}
