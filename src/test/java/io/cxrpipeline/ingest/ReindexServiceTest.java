package io.cxrpipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.cxrpipeline.catalog.ImageStatus;
import io.cxrpipeline.common.InfrastructureException;

class ReindexServiceTest {

    private final IngestFixture f = new IngestFixture();

    private ReindexService reindex(int maxObjects) {
        return new ReindexService(f.service, f.store, IngestFixture.BUCKET, new IngestLog(new ObjectMapper()),
                maxObjects, Duration.ofMinutes(1), 3, Clock.systemUTC());
    }

    @Test
    void resumesWithTheTokenUntilDoneAndIndexesEverything() {
        for (int i = 0; i < 25; i++) {
            f.put("images/ds/train/NORMAL/IM-%04d-0001.jpeg".formatted(i), TestImages.jpeg(40, 30, i));
        }
        f.put("images/other/NORMAL/x.jpeg", TestImages.jpeg(40, 30, 99));
        ReindexService service = reindex(10);
        String after = null;
        int calls = 0;
        int indexed = 0;
        ReindexService.Result r;
        do {
            r = service.run("ds", after, false, null);
            after = r.startAfter();
            indexed += r.indexed();
            calls++;
        } while (!r.done());
        assertEquals(3, calls);
        assertEquals(25, indexed);
        assertNull(f.record("../other/NORMAL/x.jpeg"));
        for (int i = 0; i < 25; i++) {
            assertEquals(ImageStatus.INDEXED, f.record("train/NORMAL/IM-%04d-0001.jpeg".formatted(i)).status());
        }
        ReindexService.Result again = reindex(100).run("ds", null, false, null);
        assertEquals(0, again.indexed());
        assertEquals(25, again.skipped());
        assertTrue(again.done());
    }

    @Test
    void limitCapsOneCallAndCannotExceedTheConfiguredMaximum() {
        for (int i = 0; i < 8; i++) {
            f.put("images/ds/NORMAL/%d.jpeg".formatted(i), TestImages.jpeg(40, 30, i));
        }
        assertEquals(2, reindex(5).run("ds", null, false, 2).scanned());
        assertEquals(5, reindex(5).run("ds", null, false, 500).scanned());
    }

    @Test
    void unknownDatasetIsReported() {
        assertThrows(UnknownDatasetException.class, () -> reindex(10).run("nothing", null, false, null));
    }

    @Test
    void unreachableStoreBeforeAnyProgressIsAnInfrastructureFailure() {
        f.put("images/ds/NORMAL/a.jpeg", TestImages.jpeg(40, 30, 1));
        f.index.fail = op -> true;
        assertThrows(InfrastructureException.class, () -> reindex(10).run("ds", null, false, null));
    }
}
