package io.cxrpipeline.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatasetNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"chest_xray", "a b", "a+b", "ünïcødé", "x.y", "..a", "-"})
    void namesAnS3FolderCanHaveAreAccepted(String name) {
        assertNull(DatasetNames.whyInvalid(name));
        assertEquals(name, DatasetNames.check("dataset", name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "a/b", "a#b", "a\u0000b", "a\nb", ".", ".."})
    void namesTheRoutesCannotServeAreA400NamingDataset(String name) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> DatasetNames.check("dataset", name));
        assertEquals("dataset", e.field());
        assertTrue(e.getMessage().contains(DatasetNames.RULE), e.getMessage());
    }

    @Test
    void aLongNameIsRefusedAndEchoedBounded() {
        String name = "n".repeat(5000);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> DatasetNames.check("dataset", name));
        assertTrue(e.getMessage().length() < 400, e.getMessage());
        assertTrue(e.getMessage().contains("5000 characters"), e.getMessage());
        assertNull(DatasetNames.whyInvalid("n".repeat(DatasetNames.MAX_LENGTH)));
    }

    @Test
    void echoEscapesControlCharactersAndBoundsLength() {
        assertEquals("'a\\u0000b'", Echo.quote("a\u0000b"));
        assertTrue(Echo.quote("y".repeat(100)).endsWith("… (100 characters)"));
    }
}
