#!/usr/bin/env python3
"""Writes the RDKit reference values that org.svdd.chem's tests compare against (run once; the CSVs are committed).

Needs Debian's python3-rdkit and rdkit-data (the system /usr/bin/python3):
    /usr/bin/python3 svdd/src/test/python/rdkit_reference.py svdd/src/test/resources/chem

rdkit-wehi-reference.csv  every 50th WEHI molecule: QED (RDKit's default weights), Crippen logP and QED's eight inputs
rdkit-validity.csv        WEHI SMILES with one random character edit (seeded), and whether RDKit parses and sanitises them
"""
import csv
import os
import random
import sys

import rdkit
from rdkit import Chem, RDLogger
from rdkit.Chem import Crippen, QED

WEHI = '/usr/share/RDKit/Data/Pains/test_data/wehi_mols.csv'


def main(out_dir):
    RDLogger.DisableLog('rdApp.*')
    with open(WEHI, newline='') as f:
        smiles = [row[0] for row in csv.reader(f)]

    with open(os.path.join(out_dir, 'rdkit-wehi-reference.csv'), 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        f.write('# RDKit %s: QED.qed (WEIGHT_MEAN), Crippen.MolLogP and QED.properties of every 50th molecule of %s\n'
                % (rdkit.__version__, WEHI))
        w.writerow(['smiles', 'qed', 'logp', 'mw', 'hba', 'hbd', 'psa', 'rotb', 'arom', 'alerts'])
        for s in smiles[::50]:
            m = Chem.MolFromSmiles(s)
            p = QED.properties(m)
            w.writerow([s, '%.6f' % QED.qed(m), '%.6f' % Crippen.MolLogP(m), '%.4f' % p.MW, p.HBA, p.HBD,
                        '%.4f' % p.PSA, p.ROTB, p.AROM, p.ALERTS])

    rng = random.Random(0)
    alphabet = sorted(set(''.join(smiles)))
    with open(os.path.join(out_dir, 'rdkit-validity.csv'), 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        f.write('# RDKit %s: Chem.MolFromSmiles(s) is not None, for WEHI SMILES with one seeded random edit\n'
                % rdkit.__version__)
        w.writerow(['smiles', 'valid'])
        seen = set()
        for s in rng.sample(smiles, 400):
            i = rng.randrange(len(s))
            edit = rng.choice(['delete', 'substitute', 'insert'])
            if edit == 'delete':
                t = s[:i] + s[i + 1:]
            elif edit == 'substitute':
                t = s[:i] + rng.choice(alphabet) + s[i + 1:]
            else:
                t = s[:i] + rng.choice(alphabet) + s[i:]
            if t in seen or not t:
                continue
            seen.add(t)
            w.writerow([t, 1 if Chem.MolFromSmiles(t) is not None else 0])


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else '.')
