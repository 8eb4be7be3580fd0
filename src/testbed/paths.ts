// Where the testbed keeps things: the Debian root file system (built once, like the Temporal CLI) and the
// apt cache outside the repo; one run directory per `testbed up` holding every node's writable layer, disk
// image and the state file `testbed down` reads.
import { join } from 'node:path';
import { kloudspotCacheBase } from '../temporal/cli-path';

export const SUITE = 'bookworm';
/** Bumped when the root file system's package list or settings change, so an old cache is not reused. */
export const ROOTFS_VERSION = 1;

export const testbedBase = (): string => join(kloudspotCacheBase(), 'testbed');
export const rootfsDir = (): string => join(testbedBase(), `rootfs-${SUITE}-v${ROOTFS_VERSION}`);
/** debootstrap's downloaded .debs, so a rebuild (a new ROOTFS_VERSION) does not fetch them again. */
export const debCacheDir = (): string => join(testbedBase(), 'debs');
export const aptCacheDir = (): string => join(testbedBase(), 'apt-cacher-ng');
export const runDir = (): string => join(testbedBase(), 'run');
export const stateFile = (): string => join(runDir(), 'state.json');
