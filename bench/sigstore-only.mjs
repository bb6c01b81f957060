#!/usr/bin/env node
// The library's part of `evidence verify` of the demo bundle, alone: @sigstore/verify checking the same Sigstore
// bundles (the release's own and its standard attestations, NAME.sigstore.jsonl) against the same trusted root, with
// the options evidence gives it for a keyless signature. Nothing of evidence is loaded: no archive, manifest, identity
// or report. The bench times it as a whole command beside `node -e 0`, so that verify's ratio can be read against
// what sigstore-js alone costs (issue 28's 3× target).
// Usage: node bench/sigstore-only.mjs TRUSTED_ROOT.json BUNDLES.sigstore.jsonl
import { readFileSync } from 'node:fs';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';

const [rootFile, bundlesFile] = process.argv.slice(2);
const material = toTrustMaterial(TrustedRoot.fromJSON(JSON.parse(readFileSync(rootFile, 'utf8'))));
const verifier = new Verifier(material, { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 });
const lines = readFileSync(bundlesFile, 'utf8').split('\n').filter(Boolean);
for (const line of lines) verifier.verify(toSignedEntity(bundleFromJSON(JSON.parse(line))));
if (lines.length === 0) throw new Error(`${bundlesFile} holds no Sigstore bundle`);
