// What the simulated registry serves at the spec's toolsUrl, and its SHA-256 (the fleet's spec pins it as
// kloudspot.toolsSha256, as an operator pins the real script's).
import { createHash } from 'node:crypto';

export const SIM_TOOLS_SCRIPT = '#!/bin/bash\n# Kloudspot on-prem cluster tools (simulated registry copy)\nset -e\n__kloudspot_install_tools\n';
export const SIM_TOOLS_SHA256 = createHash('sha256').update(SIM_TOOLS_SCRIPT).digest('hex');
