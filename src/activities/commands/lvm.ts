// LVM (lvm2): the volume groups preflight reads and the `shared` volume prepare-nodes creates.
import { cmd, query, sh, SUDO, type RemoteCommand } from './sh';

/** The seed's raw logical volume that cStor pools on, one per node. */
export const SHARED_LV = 'shared';
export const GB = 1_000_000_000;

/** ` shared 20.00g` lines; rc 5 when the VG is missing. */
export const listLogicalVolumes = (vg: string): RemoteCommand =>
  query(sh`${SUDO} lvs --noheadings --units g -o lv_name,lv_size ${vg}`, { okCodes: [0, 5] });
/** Left raw (no filesystem): cStor refuses block devices that carry one. `-y` answers lvcreate's wipe prompt. */
export const createLogicalVolume = (vg: string, name: string, size: string): RemoteCommand =>
  cmd(sh`${SUDO} lvcreate -y -L ${size} -n ${name} ${vg}`);
export const listVolumeGroups = (): RemoteCommand =>
  query(sh`${SUDO} vgs --noheadings --nosuffix --units b -o vg_name,vg_size,vg_free`);

export function parseLogicalVolumes(text: string): { name: string; size: string }[] {
  return text.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f.length === 2 && f[0] !== '')
    .map(([name, size]) => ({ name, size }));
}

export interface VolumeGroup { name: string; sizeBytes: number; freeBytes: number }
/** `  ubuntu-vg 998579896320 890124681216` per line (lvm2 `vgs --noheadings --nosuffix --units b`). */
export function parseVolumeGroups(text: string): VolumeGroup[] {
  return text.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f.length === 3 && /^\d+$/.test(f[1]))
    .map(([name, size, free]) => ({ name, sizeBytes: Number(size), freeBytes: Number(free) }));
}
/** reset: `-y` answers "Do you really want to remove active logical volume ...?"; rc 5 when missing or in use. */
export const removeLogicalVolume = (vg: string, name: string): RemoteCommand => cmd(sh`${SUDO} lvremove -y ${`${vg}/${name}`}`);
