package io.cxrpipeline.common;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * JSON in and out of API bodies: strict on input ({@link JsonBodies}: one document, unknown or repeated fields,
 * wrong types and trailing data are 400s that name the field).
 */
@ApplicationScoped
public class Json {

    private final ObjectMapper mapper;
    private final ObjectMapper input;

    @Inject
    public Json(ObjectMapper mapper) {
        this.mapper = mapper;
        this.input = JsonBodies.strict(mapper.copy());
    }

    /**
     * Reads a body the caller already decoded; an empty body reads as {@code {}}.
     *
     * @throws InvalidInputException naming the field and the rule
     */
    public <T> T read(byte[] body, Class<T> type) throws JsonProcessingException {
        return JsonBodies.read(input.readerFor(type).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .without(DeserializationFeature.ACCEPT_FLOAT_AS_INT), body);
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
