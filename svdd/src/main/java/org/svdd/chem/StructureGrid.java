package org.svdd.chem;

import org.openscience.cdk.CDKConstants;
import org.openscience.cdk.depict.DepictionGenerator;
import org.openscience.cdk.exception.CDKException;
import org.openscience.cdk.interfaces.IAtomContainer;
import org.openscience.cdk.layout.StructureDiagramGenerator;
import org.openscience.cdk.silent.SilentChemObjectBuilder;
import org.openscience.cdk.smiles.SmilesParser;
import org.svdd.diffusion.io.PngGrid;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * SMILES drawn as 2-D structures (CDK's depiction) in a grid of captioned cells, written as a PNG. Drawing happens in an
 * image in memory, so it needs no display and runs headless; captions need a font, so the JVM must find one.
 */
public final class StructureGrid {
    /** Pixels per cell, each way; a structure and its caption are shrunk together to fit. */
    static final int CELL = 300;

    private StructureGrid() {
    }

    /**
     * Draws smiles[i] captioned captions[i] into cell i of a grid filled row by row, columns cells wide, and writes it
     * to png atomically ({@link PngGrid#write}). A SMILES that CDK cannot parse or lay out leaves its cell empty but for
     * the caption.
     *
     * @throws IllegalArgumentException smiles is empty, captions is not as long, or columns is below 1
     */
    public static void write(List<String> smiles, List<String> captions, int columns, Path png) throws IOException {
        if (smiles.isEmpty()) throw new IllegalArgumentException("no molecules to draw: the SMILES list is empty");
        if (captions.size() != smiles.size())
            throw new IllegalArgumentException(captions.size() + " captions for " + smiles.size() + " molecules");
        if (columns < 1) throw new IllegalArgumentException("columns must be at least 1, got " + columns);
        DepictionGenerator cell = new DepictionGenerator().withSize(CELL, CELL).withMargin(12).withZoom(2).withMolTitle().withTitleScale(1)
                .withTitleColor(Color.DARK_GRAY);
        int rows = (smiles.size() + columns - 1) / columns;
        BufferedImage grid = new BufferedImage(columns * CELL, rows * CELL, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
            for (int i = 0; i < smiles.size(); i++) {
                IAtomContainer mol = laidOut(smiles.get(i));
                mol.setProperty(CDKConstants.TITLE, captions.get(i));
                g.drawImage(cell.depict(mol).toImg(), i % columns * CELL, i / columns * CELL, null);
            }
        } catch (CDKException e) {
            throw new IOException("could not draw the structures of " + png, e);
        } finally {
            g.dispose();
        }
        PngGrid.write(grid, png);
    }

    /**
     * The molecule of smiles with 2-D coordinates, or an empty one when CDK cannot parse or lay it out (its parser
     * throws unchecked exceptions on some malformed strings). With coordinates in place the depiction does no layout.
     */
    private static IAtomContainer laidOut(String smiles) {
        try {
            IAtomContainer mol = new SmilesParser(SilentChemObjectBuilder.getInstance()).parseSmiles(smiles);
            new StructureDiagramGenerator().generateCoordinates(mol);
            return mol;
        } catch (CDKException | RuntimeException e) {
            return SilentChemObjectBuilder.getInstance().newAtomContainer();
        }
    }
}
