package io.cxrpipeline.splits;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.cxrpipeline.common.DomainException;
import io.cxrpipeline.common.UnprocessableException;

/** Ratios a split cannot honour (less than one of the dataset's groups) are refused, not silently rounded up. */
class SplitRatiosTest {

    private static SplitParameters ratios(double train, double val, double test) {
        SplitParameters d = SplitParameters.defaults(1);
        return new SplitParameters(train, val, test, 1, d.stratify(), true, true, d.trainBalance(), d.evalBalance(),
                null);
    }

    @Test
    void aRatioBelowOneGroupIsA422NamingTheSplit() {
        SplitParameters p = new SplitRequestParser(1, 1000)
                .parse("{\"ratios\":{\"train\":0.9999999,\"val\":1e-300,\"test\":1e-7}}".getBytes());
        UnprocessableException e = assertThrows(UnprocessableException.class, () -> SplitPlanner.checkRatios(p, 20));
        assertEquals(DomainException.Kind.UNPROCESSABLE, e.kind());
        assertEquals("ratios.val", e.field());
        assertTrue(e.getMessage().contains("at least 1/20 = 0.0500"), e.getMessage());
    }

    @Test
    void ratiosThatGiveEverySplitAGroupAreAccepted() {
        assertDoesNotThrow(() -> SplitPlanner.checkRatios(ratios(0.6, 0.2, 0.2), 5));
        assertDoesNotThrow(() -> SplitPlanner.checkRatios(ratios(0.9, 0.05, 0.05), 20));
        assertEquals("ratios.val", assertThrows(UnprocessableException.class,
                () -> SplitPlanner.checkRatios(ratios(0.9, 0.05, 0.05), 19)).field());
    }
}
