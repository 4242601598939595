package org.svdd.chem;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Structure grids: the PNG's layout, a drawing in a molecule's cell, a caption alone for a SMILES CDK cannot read. */
class StructureGridTest {
    @org.junit.jupiter.api.BeforeAll
    static void fonts() {
        boolean found;
        try {
            found = java.awt.GraphicsEnvironment.getLocalGraphicsEnvironment().getAvailableFontFamilyNames().length > 0;
        } catch (RuntimeException | Error e) {
            found = false;
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(found, "no font for the captions: install fontconfig and fonts-dejavu-core (scripts/fetch-data.sh)");
    }

    @Test
    void sixMoleculesInThreeColumnsMakeTwoRows(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("grid.png");
        StructureGrid.write(List.of("CC(=O)Oc1ccccc1C(=O)O", "Cn1cnc2c1c(=O)n(C)c(=O)n2C", "CCO", "c1ccccc1", "C1CC", "c1ccncc1"),
                List.of("aspirin", "caffeine", "ethanol", "benzene", "invalid", "pyridine"), 3, png);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(png), files.toList(), "only the PNG, no temporary file left");
        }
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, "ImageIO reads the file as an image");
        int cell = StructureGrid.CELL;
        assertEquals(3 * cell, img.getWidth());
        assertEquals(2 * cell, img.getHeight());
        assertTrue(img.getWidth() > img.getHeight());
        int aspirin = inkHeight(img, 0, 0, cell), invalid = inkHeight(img, cell, cell, cell);
        assertTrue(aspirin > cell / 2, "aspirin's cell (top left) holds a drawing " + aspirin + " pixels high");
        assertTrue(invalid > 0, "the unparsable SMILES keeps its caption");
        assertTrue(invalid < cell / 6, "the unparsable SMILES has a caption only, no structure: ink " + invalid + " pixels high");
    }

    @Test
    void refusesAnEmptyListAndMismatchedCaptions(@TempDir Path dir) {
        Path png = dir.resolve("grid.png");
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> StructureGrid.write(List.of(), List.of(), 3, png));
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StructureGrid.write(List.of("CCO"), List.of(), 3, png));
        assertTrue(Files.notExists(png));
    }

    /**
     * How many rows the dark pixels (darker than mid-grey) span in the size x size square whose top-left corner is (x0,
     * y0), from the first to the last; 0 when there are none.
     */
    private static int inkHeight(BufferedImage img, int x0, int y0, int size) {
        int first = -1, last = -1;
        for (int y = y0; y < y0 + size; y++)
            for (int x = x0; x < x0 + size; x++) {
                int rgb = img.getRGB(x, y);
                if ((rgb >> 16 & 0xff) + (rgb >> 8 & 0xff) + (rgb & 0xff) < 3 * 128) {
                    if (first < 0) first = y;
                    last = y;
                    break;
                }
            }
        return first < 0 ? 0 : last - first + 1;
    }
}
