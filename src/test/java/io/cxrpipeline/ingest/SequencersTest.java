package io.cxrpipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SequencersTest {

    @Test
    void shorterValueIsLeftPaddedBeforeComparing() {
        // Plain string comparison would put "FF" after "0100"; padded, 0x100 is later.
        assertTrue(Sequencers.compare("FF", "0100") < 0);
        assertTrue(Sequencers.compare("0055AED6DCD90281E5", "55AED6DCD90281E6") < 0);
        assertEquals(0, Sequencers.compare("0055AED6DCD90281E5", "55aed6dcd90281e5"));
    }

    @Test
    void storedFormOrdersAsStringsTheWayDynamoDbComparesThem() {
        String a = Sequencers.normalise("FF");
        String b = Sequencers.normalise("100");
        assertEquals(Sequencers.WIDTH, a.length());
        assertTrue(a.compareTo(b) < 0);
        assertEquals("0000000000000000000000000000000A", Sequencers.normalise("a"));
    }

    @Test
    void missingSequencerIsNull() {
        assertNull(Sequencers.normalise(null));
        assertNull(Sequencers.normalise(" "));
    }

    @Test
    void malformedSequencersAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Sequencers.normalise("12G4"));
        assertThrows(IllegalArgumentException.class, () -> Sequencers.normalise("1".repeat(Sequencers.WIDTH + 1)));
    }
}
