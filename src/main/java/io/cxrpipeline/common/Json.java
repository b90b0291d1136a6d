package io.cxrpipeline.common;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** JSON in and out of API bodies: strict on input (unknown fields are errors that name the field). */
@ApplicationScoped
public class Json {

    private final ObjectMapper mapper;

    @Inject
    public Json(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** Reads a body the caller already decoded; an empty body reads as {@code {}}. */
    public <T> T read(byte[] body, Class<T> type) throws JsonProcessingException {
        String text = body.length == 0 ? "{}" : new String(body, java.nio.charset.StandardCharsets.UTF_8);
        return mapper.readerFor(type).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(text);
    }

    public String write(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    public ObjectMapper mapper() {
        return mapper;
    }
}
