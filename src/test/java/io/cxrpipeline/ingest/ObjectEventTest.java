package io.cxrpipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ObjectEventTest {

    @Test
    void plusIsASpaceAndPercent2BIsAPlus() {
        assertEquals("images/ds/NORMAL/my scan.jpeg", ObjectEvent.decodeKey("images/ds/NORMAL/my+scan.jpeg"));
        assertEquals("images/ds/NORMAL/a+b.jpeg", ObjectEvent.decodeKey("images/ds/NORMAL/a%2Bb.jpeg"));
        assertEquals("images/ds/NORMAL/a b+c.jpeg", ObjectEvent.decodeKey("images/ds/NORMAL/a+b%2Bc.jpeg"));
    }

    @Test
    void nonAsciiIsPercentEncodedUtf8() {
        assertEquals("images/ds/PNEUMONIA/röntgen_ñ_肺.jpeg",
                ObjectEvent.decodeKey("images/ds/PNEUMONIA/r%C3%B6ntgen_%C3%B1_%E8%82%BA.jpeg"));
    }

    @Test
    void malformedEscapeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ObjectEvent.decodeKey("images/ds/NORMAL/%ZZ.jpeg"));
    }

    @Test
    void recordDecodesKindKeyETagAndSequencer() {
        S3EventNotification.Record r = new S3EventNotification.Record("aws:s3", "ObjectCreated:Put", "t",
                new S3EventNotification.S3(new S3EventNotification.Bucket("b"),
                        new S3EventNotification.S3Object("images/d/NORMAL/a+1.jpeg", 5L, "\"abc\"", null, "0A")));
        ObjectEvent e = ObjectEvent.from(r);
        assertEquals(ObjectEvent.Kind.CREATED, e.kind());
        assertEquals("images/d/NORMAL/a 1.jpeg", e.key());
        assertEquals("abc", e.eTag());
        assertEquals(Sequencers.normalise("A"), e.sequencer());
        assertEquals(ObjectEvent.Kind.REMOVED, ObjectEvent.from(new S3EventNotification.Record("aws:s3",
                "ObjectRemoved:DeleteMarkerCreated", "t", r.s3())).kind());
    }
}
