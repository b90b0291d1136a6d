package io.cxrpipeline.ingest;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One JSON line per object on the {@code cxr.ingest.objects} logger: key, outcome, status, reason, duration and
 * bytes read. Never image bytes. application.properties gives this logger a handler that prints the bare line.
 */
public final class IngestLog {

    public static final String CATEGORY = "cxr.ingest.objects";

    private static final Logger LOG = Logger.getLogger(CATEGORY);

    private final ObjectMapper mapper;

    public IngestLog(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** Logs an outcome; {@code source} is {@code event} or {@code reindex}. */
    public void log(String source, IndexOutcome o, Throwable error) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("source", source);
        line.put("key", o.key());
        line.put("dataset", o.dataset());
        line.put("imageId", o.imageId());
        line.put("event", o.eventName());
        line.put("outcome", o.outcome());
        line.put("status", o.status());
        line.put("reason", o.reason());
        line.put("durationMs", o.durationMs());
        line.put("bytesRead", o.bytesRead());
        if (error != null) {
            line.put("error", error.getClass().getSimpleName() + ": " + error.getMessage());
        }
        line.values().removeIf(v -> v == null);
        String json;
        try {
            json = mapper.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            json = line.toString();
        }
        if (o.outcome() == IndexOutcome.Outcome.FAILED || o.outcome() == IndexOutcome.Outcome.INVALID) {
            LOG.error(json);
        } else {
            LOG.info(json);
        }
    }
}
