package io.tickstream.support;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The protocol's AsyncAPI document, {@code docs/asyncapi.yaml}, as a validator: each server message
 * is checked against the payload schema of the message its {@code type} names, each client message
 * against the one its {@code op} names. Which schema serves which {@code type} or {@code op} is read
 * from the document's operations ({@code receive}: what the server sends; {@code send}: what a
 * client sends), so the document alone says what is valid.
 *
 * <p>One instance, loaded on first use ({@link #get()}); thread-safe (the schemas are immutable once
 * their validators are built, which happens at load).
 */
public final class ProtocolSchema {

    /**
     * Fields the document requires but that the server of this branch does not send yet, as
     * {@code type.field}: {@link #validateReceived} lets them be missing, {@link #validate} does
     * not. Empty it when the server sends them.
     */
    public static final Set<String> PENDING_FIELDS = Set.of();

    /** The document, relative to the project's directory (where Maven runs the tests). */
    public static final Path DOCUMENT = Path.of("docs", "asyncapi.yaml");
    /** The IRI the document is registered under: $refs resolve within it, nothing is fetched. */
    private static final String IRI = "urn:tickstream:asyncapi.yaml";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static ProtocolSchema instance;

    private final JsonNode document;
    private final SchemaRegistry registry;
    private final Map<String, Schema> serverMessages = new LinkedHashMap<>();
    private final Map<String, Schema> clientMessages = new LinkedHashMap<>();
    private final Schema frame;

    private ProtocolSchema(String yaml) {
        document = YAMLMapper.shared().readTree(yaml);
        registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7,
                builder -> builder.schemas(Map.of(IRI, yaml)));
        Schema batch = null;
        for (JsonNode operation : document.path("operations").values()) {
            boolean received = "receive".equals(operation.path("action").asString());
            for (JsonNode ref : operation.path("messages").values()) {
                String payload = payloadPointer(ref.path("$ref").asString());
                JsonNode schemaNode = resolve(payload);
                String key = constOf(schemaNode, received ? "type" : "op");
                if (key == null && received && "array".equals(schemaNode.path("type").asString())) {
                    batch = schema(payload);
                } else if (key == null) {
                    throw new IllegalStateException(payload + " has no const '" + (received ? "type" : "op") + "'");
                } else {
                    (received ? serverMessages : clientMessages).put(key, schema(payload));
                }
            }
        }
        if (batch == null || serverMessages.isEmpty() || clientMessages.isEmpty()) {
            throw new IllegalStateException(DOCUMENT + ": its operations name no server messages, client messages "
                    + "or batch");
        }
        frame = batch;
    }

    /** The document, loaded and its schemas built on first use. */
    public static synchronized ProtocolSchema get() {
        if (instance == null) {
            try {
                instance = new ProtocolSchema(Files.readString(DOCUMENT));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + DOCUMENT.toAbsolutePath(), e);
            }
        }
        return instance;
    }

    /** The document as a tree. */
    public JsonNode document() {
        return document;
    }

    /** The server message types the document describes, e.g. {@code tick}. */
    public Set<String> serverTypes() {
        return Collections.unmodifiableSet(serverMessages.keySet());
    }

    /** The client ops the document describes, e.g. {@code subscribe}. */
    public Set<String> clientOps() {
        return Collections.unmodifiableSet(clientMessages.keySet());
    }

    /** The schema at {@code pointer} in the document, e.g. {@code /components/schemas/Tick}. */
    public Schema schema(String pointer) {
        Schema s = registry.getSchema(SchemaLocation.of(IRI + "#" + pointer));
        s.initializeValidators();
        return s;
    }

    /** The node at {@code pointer} in the document, following a {@code $ref} there; fails if missing. */
    public JsonNode resolve(String pointer) {
        JsonNode node = document.at(pointer);
        if (node.isMissingNode()) {
            throw new IllegalStateException(DOCUMENT + " has nothing at " + pointer);
        }
        JsonNode ref = node.get("$ref");
        return ref != null && ref.isString() ? resolve(local(ref.asString())) : node;
    }

    /**
     * How a server message breaks the document, strictly: each problem as {@code where: what}, empty
     * when it is valid. A message without a {@code type} the document knows is one problem.
     */
    public List<String> validate(JsonObject message) {
        return validate(message, false);
    }

    /** As {@link #validate}, but a field of {@link #PENDING_FIELDS} may be missing. */
    public List<String> validateReceived(JsonObject message) {
        return validate(message, true);
    }

    /** How a client message breaks the document; empty when it is valid. */
    public List<String> validateClient(JsonObject message) {
        Object op = message.getValue("op");
        Schema schema = op instanceof String s ? clientMessages.get(s) : null;
        if (schema == null) {
            return List.of("op " + (op == null ? "missing" : "'" + op + "' unknown") + " (known: "
                    + clientMessages.keySet() + ")");
        }
        return describe(schema.validate(node(message)), null);
    }

    /** How a whole frame (one message object, or an array of them) breaks the document, strictly. */
    public List<String> validateFrame(Object value) {
        if (value instanceof JsonObject object) {
            return validate(object);
        }
        return describe(frame.validate(node(value)), null);
    }

    private List<String> validate(JsonObject message, boolean pendingMayLack) {
        Object type = message.getValue("type");
        Schema schema = type instanceof String s ? serverMessages.get(s) : null;
        if (schema == null) {
            return List.of("type " + (type == null ? "missing" : "'" + type + "' unknown") + " (known: "
                    + serverMessages.keySet() + ")");
        }
        return describe(schema.validate(node(message)), pendingMayLack ? (String) type : null);
    }

    /** The errors as {@code where: what}, leaving out a pending field missing from a {@code type} message. */
    private static List<String> describe(List<Error> errors, String pendingOf) {
        List<String> out = new ArrayList<>(errors.size());
        for (Error e : errors) {
            boolean atTop = e.getInstanceLocation().getNameCount() == 0;
            if (pendingOf != null && atTop && "required".equals(e.getKeyword())
                    && PENDING_FIELDS.contains(pendingOf + "." + e.getProperty())) {
                continue;
            }
            out.add((atTop ? "" : e.getInstanceLocation() + ": ") + e.getMessage());
        }
        return out;
    }

    /** A message's payload schema, as a pointer: from {@code #/channels/c/messages/m} through its $refs. */
    private String payloadPointer(String messageRef) {
        JsonNode payload = resolve(local(messageRef)).path("payload");
        JsonNode ref = payload.get("$ref");
        if (ref == null) {
            throw new IllegalStateException(messageRef + ": its payload is not a $ref to components/schemas");
        }
        return local(ref.asString());
    }

    private static String local(String ref) {
        if (!ref.startsWith("#/")) {
            throw new IllegalStateException("not a local $ref: " + ref);
        }
        return ref.substring(1);
    }

    /** The {@code const} of property {@code name} in a schema or in one of its {@code allOf}, or null. */
    private String constOf(JsonNode schema, String name) {
        JsonNode c = schema.path("properties").path(name).get("const");
        if (c != null) {
            return c.asString();
        }
        for (JsonNode part : schema.path("allOf").values()) {
            String found = constOf(part.has("$ref") ? resolve(local(part.get("$ref").asString())) : part, name);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** A Vert.x JSON value as a Jackson tree, without writing and reading it again. */
    static JsonNode node(Object value) {
        if (value instanceof JsonObject object) {
            ObjectNode n = NODES.objectNode();
            for (Map.Entry<String, Object> e : object) {
                n.set(e.getKey(), node(e.getValue()));
            }
            return n;
        }
        if (value instanceof JsonArray array) {
            ArrayNode n = NODES.arrayNode(array.size());
            for (Object o : array) {
                n.add(node(o));
            }
            return n;
        }
        if (value == null) {
            return NODES.nullNode();
        }
        if (value instanceof String s) {
            return NODES.stringNode(s);
        }
        if (value instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return NODES.numberNode(((Number) value).longValue());
        }
        if (value instanceof BigInteger b) {
            return NODES.numberNode(b);
        }
        if (value instanceof BigDecimal b) {
            return NODES.numberNode(b);
        }
        if (value instanceof Number n) {
            return NODES.numberNode(n.doubleValue());
        }
        return NODES.stringNode(value.toString());
    }
}
