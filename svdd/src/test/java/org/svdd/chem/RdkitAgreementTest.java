package org.svdd.chem;

import org.junit.jupiter.api.Test;
import org.openscience.cdk.interfaces.IAtomContainer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * QED and Crippen logP against RDKit 2022.09 on 200 WEHI molecules (every 50th), from the committed fixture written by
 * svdd/src/test/python/rdkit_reference.py, so RDKit is not needed here; RDKit's Crippen.txt is read at run time,
 * from rdkit-data where installed, else from the copy in the jar (the same file).
 */
class RdkitAgreementTest {
    static final double QED_TOL = 0.01, LOGP_TOL = 0.05;

    record Reference(String smiles, double qed, double logP, double[] props) {
    }

    static List<Reference> references() throws IOException {
        List<Reference> out = new ArrayList<>();
        try (InputStream in = RdkitAgreementTest.class.getResourceAsStream("/chem/rdkit-wehi-reference.csv")) {
            assertNotNull(in, "fixture chem/rdkit-wehi-reference.csv missing");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("#") || line.startsWith("smiles,")) continue;
                String[] f = line.split(",");
                double[] props = new double[8];                       // Qed.Properties order: mw, alogp, hba, ...
                props[0] = Double.parseDouble(f[3]);
                props[1] = Double.parseDouble(f[2]);
                for (int i = 2; i < 8; i++) props[i] = Double.parseDouble(f[2 + i]);
                out.add(new Reference(f[0], Double.parseDouble(f[1]), Double.parseDouble(f[2]), props));
            }
        }
        return out;
    }

    @Test
    void qedAndLogPAgreeWithRdkit() throws IOException {
        List<Reference> refs = references();
        assertTrue(refs.size() >= 30, "fixture has " + refs.size() + " molecules");
        String[] names = {"MW", "ALOGP", "HBA", "HBD", "PSA", "ROTB", "AROM", "ALERTS"};
        int qedOk = 0, logPOk = 0;
        StringBuilder report = new StringBuilder();
        for (Reference ref : refs) {
            IAtomContainer mol = Molecules.parse(ref.smiles());
            assertNotNull(mol, "RDKit parses " + ref.smiles() + " but CDK does not");
            Qed.Properties p = Qed.properties(mol);
            double qed = Qed.qed(p);
            boolean q = Math.abs(qed - ref.qed()) < QED_TOL, l = Math.abs(p.alogp() - ref.logP()) < LOGP_TOL;
            qedOk += q ? 1 : 0;
            logPOk += l ? 1 : 0;
            if (!q || !l) {
                report.append(String.format("%s: QED %.4f vs RDKit %.4f, logP %.4f vs %.4f;", ref.smiles(), qed, ref.qed(), p.alogp(), ref.logP()));
                double[] mine = p.values();
                for (int i = 0; i < 8; i++) if (Math.abs(mine[i] - ref.props()[i]) > 0.01) report.append(String.format(" %s %.3f vs %.3f", names[i], mine[i], ref.props()[i]));
                report.append('\n');
            }
        }
        System.out.printf("QED within %.2f of RDKit on %d/%d molecules, logP within %.2f on %d/%d%n%s", QED_TOL, qedOk, refs.size(), LOGP_TOL, logPOk, refs.size(), report);
        assertTrue(qedOk >= 0.95 * refs.size(), "QED agrees on " + qedOk + "/" + refs.size() + "\n" + report);
        assertTrue(logPOk >= 0.95 * refs.size(), "logP agrees on " + logPOk + "/" + refs.size() + "\n" + report);
    }
}
