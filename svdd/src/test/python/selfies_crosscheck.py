"""Cross-checks org.svdd.chem.Selfies against the reference `selfies` Python package (not run by the Java tests).

The Java tests write what they encoded and decoded when asked:

    ./mvnw -B -o -pl svdd test -Dtest='SelfiesWehiTest' -Dselfies.dump=/tmp/selfies-dump

which leaves /tmp/selfies-dump/wehi.tsv (SMILES, Java SELFIES, Java decoded SMILES) and
/tmp/selfies-dump/random.tsv (random symbol sequence, Java decoded SMILES). Then

    /usr/bin/python3 svdd/src/test/python/selfies_crosscheck.py /tmp/selfies-dump

reports, over WEHI: how often the package's encoder writes the same SELFIES string as Java (the two kekulise
aromatic rings independently, CDK in Java, the package's own matching in Python, so strings may differ where the
molecule does not), how often the package decodes Java's SELFIES to exactly Java's SMILES, and how often that decoding
is the input molecule (RDKit canonical SMILES); over the random sequences, how often the package decodes them to
exactly Java's SMILES. It needs the `selfies` package (no Debian package exists; put its source on PYTHONPATH) and
RDKit (Debian python3-rdkit).
"""
import csv
import sys
from pathlib import Path

import selfies as sf
from rdkit import Chem, RDLogger

RDLogger.DisableLog("rdApp.*")


def canonical(smiles):
    mol = Chem.MolFromSmiles(smiles)
    return None if mol is None else Chem.MolToSmiles(mol)


def read_tsv(path):
    with open(path, newline="") as f:
        return list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def check_wehi(rows):
    same_string = same_decoding = same_molecule = same_molecule_as_package = package_errors = unreadable = 0
    examples = []
    for smiles, java_selfies, java_decoded in rows:
        try:
            package_selfies = sf.encoder(smiles)
        except sf.EncoderError:
            package_selfies = None
            package_errors += 1
        same_string += package_selfies == java_selfies
        decoded = sf.decoder(java_selfies)
        same_decoding += decoded == java_decoded
        reference = canonical(smiles)
        unreadable += reference is None
        same_molecule += reference is not None and canonical(decoded) == reference
        if package_selfies is not None:
            same_molecule_as_package += canonical(sf.decoder(package_selfies)) == canonical(decoded)
        if package_selfies != java_selfies and len(examples) < 5:
            examples.append((smiles, java_selfies, package_selfies))
    n = len(rows)
    print(f"molecules Java encoded: {n}")
    print(f"  package encoder refuses: {package_errors}")
    print(f"  same SELFIES string as the package: {same_string}/{n} ({100.0 * same_string / n:.2f}%)")
    print(f"  same molecule as the package's SELFIES decodes to: {same_molecule_as_package}/{n - package_errors}")
    print(f"  package decodes Java's SELFIES to Java's SMILES exactly: {same_decoding}/{n}")
    print(f"  package decoding of Java's SELFIES is the input (RDKit canonical): {same_molecule}/{n - unreadable}"
          f" ({unreadable} inputs RDKit cannot read)")
    for smiles, mine, theirs in examples:
        print(f"    {smiles}\n      java    {mine}\n      package {theirs}")


def check_random(rows):
    same = 0
    mismatches = []
    for sequence, java_decoded in rows:
        decoded = sf.decoder(sequence)
        if decoded == java_decoded:
            same += 1
        elif len(mismatches) < 5:
            mismatches.append((sequence, java_decoded, decoded))
    print(f"random sequences: package decodes {same}/{len(rows)} to Java's SMILES exactly")
    for sequence, mine, theirs in mismatches:
        print(f"    {sequence}\n      java    {mine}\n      package {theirs}")


def main():
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/selfies-dump")
    print(f"selfies {sf.__version__}")
    if (folder / "wehi.tsv").exists():
        check_wehi(read_tsv(folder / "wehi.tsv"))
    if (folder / "random.tsv").exists():
        check_random(read_tsv(folder / "random.tsv"))


if __name__ == "__main__":
    main()
