import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { EXIT_BAD_INPUT, UserError } from '../errors';
import { answerBlockDevice, confirmHostKeys, resolveFailure, uploadCertificate, useSelfSigned } from '../installs';
import { clientFor } from './common';

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`Cannot read the ${what} file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}. Give the path of a PEM file.`, EXIT_BAD_INPUT);
  }
}

type AnswerOptions = { node?: string; device?: string; accept?: boolean; reject?: boolean; workflow?: string };

export function registerAnswers(program: Command): void {
  program.command('answer')
    .argument('<site>', 'the site name')
    .argument('<question>', 'what to answer: blockdevice, or hostkeys')
    .option('--node <name>', 'blockdevice: the node the question is about')
    .option('--device <blockdevice>', 'blockdevice: the chosen block device (name from the question)')
    .option('--accept', 'hostkeys: the keys shown match the nodes\' own (checked on their consoles): pin them and go on')
    .option('--reject', 'hostkeys: a key does not match: stop the run (nothing ran on the nodes beyond the key exchange)')
    .option('--workflow <id>', 'the workflow asking, when it is not the install (e.g. replace-node/acme-hq/k8s-vm-2)')
    .description('answer a pending question (the block device cStor should use on a node; the host keys of nodes met for the first time)')
    .addHelpText('after', '\nExamples:\n  $ kloudspot-installer answer acme-hq blockdevice --node k8s-vm-2 --device blockdevice-124ba28ef2874c3aa2a94967ccda6000\n' +
      '  $ kloudspot-installer answer acme-hq blockdevice --node k8s-vm-5 --device blockdevice-9f0e... --workflow replace-node/acme-hq/k8s-vm-2\n' +
      '  $ kloudspot-installer answer acme-hq hostkeys --accept      (after comparing the status\'s fingerprints on each node\'s console)')
    .action(async (site: string, question: string, o: AnswerOptions, cmd: Command) => {
      if (question === 'hostkeys') {
        if (o.accept === o.reject) throw new UserError('answer hostkeys takes exactly one of --accept (the keys match the nodes\' own) or --reject (stop the run).', EXIT_BAD_INPUT);
        process.stdout.write(await confirmHostKeys(await clientFor(cmd), site, { answer: o.accept ? 'accept' : 'reject' }, o.workflow) + '\n');
        return;
      }
      if (question !== 'blockdevice') throw new UserError(`Unknown question "${question}": answer blockdevice or hostkeys (see also upload-cert, self-signed, resolve).`, EXIT_BAD_INPUT);
      if (!o.node || !o.device) throw new UserError('answer blockdevice needs --node <name> and --device <blockdevice> (both from the question).', EXIT_BAD_INPUT);
      process.stdout.write(await answerBlockDevice(await clientFor(cmd), site, { node: o.node, blockDevice: o.device }, o.workflow) + '\n');
    });

  program.command('upload-cert')
    .argument('<site>', 'the site name')
    .requiredOption('--cert <file>', 'PEM certificate (chain) covering the site\'s dnsHostname')
    .requiredOption('--key <file>', 'its unencrypted PEM private key')
    .description('upload the TLS certificate and key; they are checked (parse, match, cover the host name) before use')
    .addHelpText('after', '\nExample:\n  $ kloudspot-installer upload-cert acme-hq --cert server.crt --key server.key')
    .action(async (site: string, o: { cert: string; key: string }, cmd: Command) => {
      const certificatePem = readPem(o.cert, 'certificate');
      const privateKeyPem = readPem(o.key, 'private key');
      process.stdout.write(await uploadCertificate(await clientFor(cmd), site, { certificatePem, privateKeyPem }) + '\n');
    });

  program.command('self-signed')
    .argument('<site>', 'the site name')
    .description('use the ingress controller\'s self-signed certificate instead of uploading one')
    .addHelpText('after', '\nExample:\n  $ kloudspot-installer self-signed acme-hq')
    .action(async (site: string, _o: unknown, cmd: Command) => {
      process.stdout.write(await useSelfSigned(await clientFor(cmd), site) + '\n');
    });

  program.command('resolve')
    .argument('<site>', 'the site name')
    .requiredOption('--step <step>', 'the failed step, as the question names it (e.g. k8s-vm-2:shared-volume)')
    .requiredOption('--action <action>', 'retry (after fixing the cause), skip, or abort; after a blocked drain: wait, force or abort')
    .option('--workflow <id>', 'the workflow asking, when it is not the install (e.g. upgrade/acme-hq); the question shows it')
    .description('decide what happens after a step failed')
    .addHelpText('after', '\nExamples:\n  $ kloudspot-installer resolve acme-hq --step k8s-vm-2:shared-volume --action retry\n' +
      '  $ kloudspot-installer resolve acme-hq --step k8s-vm-2:drain --action force --workflow upgrade/acme-hq')
    .action(async (site: string, o: { step: string; action: string; workflow?: string }, cmd: Command) => {
      if (!['retry', 'skip', 'abort', 'wait', 'force'].includes(o.action)) throw new UserError(`--action must be retry, skip or abort (or wait, force after a blocked drain), not "${o.action}".`, EXIT_BAD_INPUT);
      process.stdout.write(await resolveFailure(await clientFor(cmd), site, { step: o.step, action: o.action as 'retry' }, o.workflow) + '\n');
    });
}
