#!/usr/bin/env python3
"""Writes the committed files behind org.svdd.chem.SaScore (run once; the outputs are committed).

Needs Debian's python3-rdkit and rdkit-data (the system /usr/bin/python3):
    /usr/bin/python3 svdd/src/test/python/sascore_reference.py \
        svdd/src/main/resources/org/svdd/chem svdd/src/test/resources/chem

fpscores.bin.gz          (main resources) RDKit's Contrib/SA_Score/fpscores.pkl.gz, the fragment contributions of
                         Ertl & Schuffenhauer's SA score, re-encoded so that Java reads it without a pickle reader:
                         gzip of  'SAFP' u8 version=1  u32 nGroups  then per group:
                                  f64 score  varint n  n varints (the group's sorted 32-bit Morgan ids, delta-coded)
                         (big-endian; varint = 7 bits per byte, low group first, high bit = more bytes follow)
rdkit-wehi-sascore.csv   (test resources) RDKit's own sascorer.calculateScore on every WEHI molecule, with the terms
                         of the score, so that a disagreement can be traced to one term
rdkit-sascore-cases.csv  the same for a few molecules with features WEHI lacks (stereo, isotopes, cages, macrocycles)
rdkit-morgan-ids.csv     the Morgan radius-2 environment ids and counts of those cases and of every 250th WEHI molecule
"""
import csv
import gzip
import os
import pickle
import struct
import sys

import rdkit
from rdkit import Chem, RDLogger
from rdkit.Chem import rdMolDescriptors

SA_DIR = '/usr/share/RDKit/Contrib/SA_Score'
WEHI = '/usr/share/RDKit/Data/Pains/test_data/wehi_mols.csv'

sys.path.insert(0, SA_DIR)
import sascorer  # noqa: E402


def varint(n, out):
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def write_fragment_scores(path):
    with gzip.open(os.path.join(SA_DIR, 'fpscores.pkl.gz')) as f:
        groups = pickle.load(f)
    out = bytearray(b'SAFP')
    out += struct.pack('>BI', 1, len(groups))
    n_ids = 0
    for g in groups:
        ids = sorted(set(g[1:]))
        assert len(ids) == len(g) - 1 and all(0 <= i < 2 ** 32 for i in ids)
        out += struct.pack('>d', float(g[0]))
        varint(len(ids), out)
        prev = 0
        for i in ids:
            varint(i - prev, out)
            prev = i
        n_ids += len(ids)
    with open(path, 'wb') as f:
        f.write(gzip.compress(bytes(out), compresslevel=9, mtime=0))
    print('%s: %d groups, %d fragment ids' % (path, len(groups), n_ids))


HEADER = ['smiles', 'sa', 'atoms', 'fragments', 'fragment_score', 'chiral', 'spiro', 'bridgehead', 'macrocycles',
          'rdkit_smiles']
TERMS = ('# atoms (heavy), fragments (distinct Morgan radius-2 ids), fragment_score (count-weighted mean contribution), '
         'chiral (FindMolChiralCenters includeUnassigned), spiro, bridgehead, macrocycles; rdkit_smiles: RDKit\'s '
         'SMILES where RDKit does not keep an atom written aromatic as aromatic (else empty)\n')

# Molecules with features WEHI lacks: stereo given or not, P/S/N stereocentres, isotopes, explicit and isotopic H,
# charges, salts, single atoms, symmetric molecules, spiro atoms, bridgeheads, cages, macrocycles, Kekule input.
CASES = [
    'C', 'O', '[Na+]', 'CC', 'C#C', 'c1ccccc1', 'C1=CC=CC=C1', 'CCO', 'CC(=O)O', 'CC(=O)[O-].[Na+]', '[NH4+].[Cl-]',
    'C[N+](C)(C)C', 'CC(C)[N+](C)(CC)Cc1ccccc1', 'CC(C)(C)c1ccc(O)cc1', 'O=C1C=CC(=O)C=C1', 'c1ccc2c(c1)[nH]c1ccccc12',
    'c1ccc2ccccc2c1', 'C/C=C/C', 'C[C@H](F)C(F)(Cl)Br', 'C1CC(C)C(C)C(C)C1', 'C1C[C@H](C)C(C)[C@H](C)C1',
    'CC1CCC(C)CC1', 'C[C@H]1CC[C@@H](C)CC1', 'OC(=O)[C@@H](N)Cc1ccccc1', 'N[C@@H](C)C(=O)N[C@@H](CS)C(=O)O',
    'FC(F)(F)[C@H](O)c1ccccc1', 'OC[C@H](O)[C@@H](O)[C@H](O)[C@H](O)C=O', 'C[S@@](=O)c1ccccc1', 'CS(=O)CC',
    'CP(c1ccccc1)CC', 'C1CC1N1CC1', 'C1CN2CCC1CC2', 'C1CC2CCC1C2', 'C1C2CC3CC1CC(C2)C3', 'C12C3C4C1C5C2C3C45',
    'C1CCC2(CC1)CCCC2', 'C1CC2(C1)CC2', 'C1CCCCCCCCCCC1', 'O=C1CCCCCCCCCCCCCCN1',
    'CC(C)CCC[C@@H](C)[C@H]1CC[C@H]2[C@@H]3CC=C4C[C@@H](O)CC[C@]4(C)[C@H]3CC[C@]12C',
    'CC[C@@H]1[C@@]([C@@H]([C@H](C(=O)[C@@H](C[C@@]([C@@H]([C@H]([C@@H]([C@H](C(=O)O1)C)O[C@H]2C[C@@]([C@H]('
    '[C@@H](O2)C)O)(C)OC)C)O[C@H]3[C@@H]([C@H](C[C@H](O3)C)N(C)C)O)(C)O)C)C)O)(C)O',
    '[13CH3]C(=O)O', '[14CH4]', '[2H]C([2H])([2H])C(=O)O', '[H]C(=O)O', '[H][H]', 'O=c1cc[nH]cc1', 'c1ccc2cccc2cc1',
    'c1cc2ccc3cccc4ccc(c1)c2c34', 'Cn1cnc2c1c(=O)n(C)c(=O)n2C', 'O=C1NC(=O)C(N1)(c1ccccc1)c1ccccc1',
    'CC(=O)Nc1ccc(O)cc1', 'OP(=O)(O)OP(=O)(O)O', 'CC(C)(C)[Si](C)(C)OC', 'Brc1ccc(I)cc1', 'C=C=C', 'N#[N+][O-]',
]


def write_scores(path, smiles, source):
    with open(path, 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        f.write('# RDKit %s: Contrib/SA_Score/sascorer.calculateScore of %s, with its terms:\n'
                % (rdkit.__version__, source))
        f.write(TERMS)
        w.writerow(HEADER)
        for s in smiles:
            m = Chem.MolFromSmiles(s)
            sa = sascorer.calculateScore(m)
            fps = rdMolDescriptors.GetMorganFingerprint(m, 2).GetNonzeroElements()
            total = sum(fps.values())
            frag = sum(sascorer._fscores.get(k, -4) * v for k, v in fps.items()) / total
            chiral = len(Chem.FindMolChiralCenters(m, includeUnassigned=True))
            macro = sum(1 for r in m.GetRingInfo().AtomRings() if len(r) > 8)
            written = Chem.MolFromSmiles(s, sanitize=False)
            dearomatised = any(a.GetIsAromatic() and not b.GetIsAromatic()
                               for a, b in zip(written.GetAtoms(), m.GetAtoms()))
            w.writerow([s, '%.6f' % sa, m.GetNumAtoms(), len(fps), '%.6f' % frag, chiral,
                        rdMolDescriptors.CalcNumSpiroAtoms(m), rdMolDescriptors.CalcNumBridgeheadAtoms(m), macro,
                        Chem.MolToSmiles(m) if dearomatised else ''])
    print('%s: %d molecules' % (path, len(smiles)))


def write_morgan_ids(path, smiles, source):
    with open(path, 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        f.write('# RDKit %s: rdMolDescriptors.GetMorganFingerprint(m, 2).GetNonzeroElements() of %s, '
                'as id:count sorted by id\n' % (rdkit.__version__, source))
        w.writerow(['smiles', 'environments'])
        for s in smiles:
            fps = rdMolDescriptors.GetMorganFingerprint(Chem.MolFromSmiles(s), 2).GetNonzeroElements()
            w.writerow([s, ' '.join('%d:%d' % (k, fps[k]) for k in sorted(fps))])
    print('%s: %d molecules' % (path, len(smiles)))


def main(resource_dir, test_resource_dir):
    RDLogger.DisableLog('rdApp.*')
    sascorer.readFragmentScores()
    write_fragment_scores(os.path.join(resource_dir, 'fpscores.bin.gz'))
    with open(WEHI, newline='') as f:
        wehi = [row[0] for row in csv.reader(f)]
    assert all(Chem.MolFromSmiles(s) is not None for s in wehi + CASES)
    write_scores(os.path.join(test_resource_dir, 'rdkit-wehi-sascore.csv'), wehi, 'every molecule of ' + WEHI)
    write_scores(os.path.join(test_resource_dir, 'rdkit-sascore-cases.csv'), CASES,
                 'the CASES of svdd/src/test/python/sascore_reference.py')
    write_morgan_ids(os.path.join(test_resource_dir, 'rdkit-morgan-ids.csv'), CASES + wehi[::250],
                     'its CASES and every 250th molecule of ' + WEHI)


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
