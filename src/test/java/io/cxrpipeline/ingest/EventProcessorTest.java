package io.cxrpipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.cxrpipeline.catalog.ImageStatus;
import io.cxrpipeline.ingest.IndexOutcome.Outcome;

class EventProcessorTest {

    private final IngestFixture f = new IngestFixture();
    private final ObjectMapper mapper = new ObjectMapper();
    private final EventProcessor processor = new EventProcessor(f.service, new IngestLog(mapper));

    private static S3EventNotification.Record record(ObjectEvent e, String encodedKey) {
        return new S3EventNotification.Record("aws:s3", e.eventName(), "2025-01-01T00:00:00.000Z",
                new S3EventNotification.S3(new S3EventNotification.Bucket(e.bucket()),
                        new S3EventNotification.S3Object(encodedKey, e.size(), e.eTag(), null, e.sequencer())));
    }

    @Test
    void infrastructureFailureFailsTheInvocationAfterTheOtherRecords() {
        byte[] img = TestImages.jpeg(100, 80, 1);
        ObjectEvent a = f.put("images/ds/NORMAL/a.jpeg", img);
        ObjectEvent b = f.put("images/ds/NORMAL/b.jpeg", TestImages.jpeg(100, 80, 2));
        ObjectEvent c = f.put("images/ds/NORMAL/c.jpeg", TestImages.jpeg(100, 80, 3));
        S3EventNotification n = new S3EventNotification(List.of(record(a, "images/ds/NORMAL/a.jpeg"),
                record(b, "images/ds/NORMAL/b.jpeg"), record(c, "images/ds/NORMAL/c.jpeg")));
        f.index.fail = op -> op.endsWith("NORMAL/b.jpeg");
        EventProcessor.IndexingFailedException e = assertThrows(EventProcessor.IndexingFailedException.class,
                () -> processor.process(n));
        assertTrue(e.getMessage().contains("images/ds/NORMAL/b.jpeg"), e.getMessage());
        assertEquals(ImageStatus.INDEXED, f.record("NORMAL/a.jpeg").status());
        assertEquals(ImageStatus.INDEXED, f.record("NORMAL/c.jpeg").status());

        f.index.fail = op -> false; // Lambda retries the whole notification
        IndexSummary retry = processor.process(n);
        assertEquals(List.of(Outcome.UNCHANGED, Outcome.WRITTEN, Outcome.UNCHANGED),
                retry.outcomes().stream().map(IndexOutcome::outcome).toList());
        assertEquals(ImageStatus.INDEXED, f.record("NORMAL/b.jpeg").status());
    }

    @Test
    void malformedRecordIsReportedAndTheOthersAreIndexed() {
        ObjectEvent a = f.put("images/ds/NORMAL/a b.jpeg", TestImages.jpeg(100, 80, 1));
        S3EventNotification n = new S3EventNotification(List.of(record(a, "images/ds/NORMAL/%ZZ.jpeg"),
                record(a, "images/ds/NORMAL/a+b.jpeg")));
        IndexSummary s = processor.process(n);
        assertEquals(Outcome.INVALID, s.outcomes().get(0).outcome());
        assertEquals(Outcome.WRITTEN, s.outcomes().get(1).outcome());
        assertEquals(1, s.counts().get(Outcome.INVALID));
    }

    @Test
    void notificationWithoutRecordsIsEmpty() {
        assertEquals(0, processor.process(new S3EventNotification(null)).records());
    }
}
