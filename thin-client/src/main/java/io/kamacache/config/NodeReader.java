package io.kamacache.config;

import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Typed, checked access to a composed YAML node tree. Every failure becomes a
 * {@link ConfigException} carrying the line of the node at fault and the dotted key path, so
 * the schema code in {@link ConfigParser} never deals with marks itself.
 */
final class NodeReader {

    /** The tags plain YAML gives nodes; anything else was written explicitly and is refused. */
    private static final Set<Tag> PLAIN_TAGS = Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL, Tag.MAP, Tag.SEQ);

    /** YAML 1.2's plain spellings of null, which the JSON schema the composer uses leaves as text. */
    private static final Set<String> NULL_WORDS = Set.of("~", "null", "Null", "NULL");

    /** A key of a mapping with its value, and the dotted path naming it. */
    record Entry(String key, Node keyNode, Node value, String path) {
    }

    private final String source;
    /** Nodes that came from environment variables, and which. */
    private final Map<Node, String> origins;

    NodeReader(String source, Map<Node, String> origins) {
        this.source = source;
        this.origins = origins;
    }

    String source() {
        return source;
    }

    ConfigException error(Node node, String path, String problem) {
        return error(node, path, problem, null);
    }

    ConfigException error(Node node, String path, String problem, Throwable cause) {
        return new ConfigException(sourceOf(node), lineOf(node), path, problem, cause);
    }

    /** The class named by a scalar value, with where it was named, for loading it later. */
    ClassName className(Entry entry) {
        String name = convert(entry, ConfigValues::className);
        return new ClassName(name, sourceOf(entry.value()), lineOf(entry.value()), entry.path());
    }

    /** The file, or the environment variable the node came from. */
    private String sourceOf(Node node) {
        String variable = origins.get(node);
        return variable == null ? source : "environment variable " + variable;
    }

    /** The node's 1-based line in the file; 0 for a value from the environment. */
    private int lineOf(Node node) {
        return origins.containsKey(node) ? 0 : node.getStartMark().map(mark -> mark.getLine() + 1).orElse(0);
    }

    /** Whether the node is YAML's null: an empty value, {@code ~} or {@code null} unquoted. */
    static boolean isNull(Node node) {
        return node instanceof ScalarNode scalar && (Tag.NULL.equals(node.getTag())
                || (scalar.isPlain() && NULL_WORDS.contains(scalar.getValue())));
    }

    /**
     * The entries of a mapping in file order, checked: keys are scalars, none repeats and each
     * is one of {@code validKeys} ({@code null} accepts any key). A null node is an empty
     * mapping, so {@code node:} with nothing under it means "all defaults".
     */
    Map<String, Entry> mapping(Node node, String path, Collection<String> validKeys) {
        checkTag(node, path);
        Map<String, Entry> entries = new LinkedHashMap<>();
        if (isNull(node)) {
            return entries;
        }
        if (!(node instanceof MappingNode mapping)) {
            throw error(node, path, "expected a mapping (key: value lines), got " + describe(node));
        }
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            // The core schema leaves "<<" a plain string; it is still meant as a merge, so say so.
            if (Tag.MERGE.equals(keyNode.getTag())
                    || (keyNode instanceof ScalarNode key && key.isPlain() && "<<".equals(key.getValue()))) {
                throw error(keyNode, path, "YAML merge keys (<<) are not supported; write the keys out");
            }
            checkTag(keyNode, path);
            if (!(keyNode instanceof ScalarNode scalarKey)) {
                throw error(keyNode, path, "expected a plain key, got " + describe(keyNode));
            }
            String key = isNull(keyNode) ? "" : scalarKey.getValue();
            String keyPath = path.isEmpty() ? key : path + "." + key;
            Entry previous = entries.get(key);
            if (previous != null) {
                throw error(keyNode, keyPath, "duplicate key '" + key + "' (first given at line "
                        + previous.keyNode().getStartMark().map(mark -> mark.getLine() + 1).orElse(0) + ")");
            }
            if (validKeys != null && !validKeys.contains(key)) {
                throw error(keyNode, keyPath, "unknown key '" + key + "'; valid keys "
                        + (path.isEmpty() ? "at the top level" : "under " + path) + " are: " + String.join(", ", validKeys));
            }
            entries.put(key, new Entry(key, keyNode, tuple.getValueNode(), keyPath));
        }
        return entries;
    }

    /** The text of a scalar value; a missing value, a list or a mapping is an error. */
    String scalar(Entry entry) {
        Node node = entry.value();
        checkTag(node, entry.path());
        if (isNull(node)) {
            throw error(node, entry.path(), "a value is required");
        }
        if (!(node instanceof ScalarNode scalar)) {
            throw error(node, entry.path(), "expected a single value, got " + describe(node));
        }
        return scalar.getValue();
    }

    /** The scalar value converted; the converter's {@link IllegalArgumentException} becomes a {@link ConfigException}. */
    <T> T convert(Entry entry, Function<String, T> converter) {
        String text = scalar(entry);
        try {
            return converter.apply(text);
        } catch (IllegalArgumentException e) {
            throw error(entry.value(), entry.path(), e.getMessage(), e);
        }
    }

    /** The items of a list; a null node is an empty list. */
    List<Node> sequence(Entry entry) {
        Node node = entry.value();
        checkTag(node, entry.path());
        if (isNull(node)) {
            return List.of();
        }
        if (!(node instanceof SequenceNode sequence)) {
            throw error(node, entry.path(), "expected a list (lines starting with '- '), got " + describe(node));
        }
        return sequence.getValue();
    }

    /** The text of a scalar list item. */
    String item(Node node, String path) {
        checkTag(node, path);
        if (isNull(node) || !(node instanceof ScalarNode scalar)) {
            throw error(node, path, "expected a single value in the list, got " + describe(node));
        }
        return scalar.getValue();
    }

    // Explicit tags (!!binary, !foo, !!python/object...) would ask for a typed construction;
    // this reader only ever reads text, and says so rather than silently ignoring the tag.
    private void checkTag(Node node, String path) {
        if (Tag.ENV_TAG.equals(node.getTag())) {
            throw error(node, path, "environment variables (${...}) are not substituted in configuration files");
        }
        if (!PLAIN_TAGS.contains(node.getTag())) {
            throw error(node, path, "YAML tag '" + node.getTag().getValue()
                    + "' is not supported; configuration values are plain text, lists and mappings");
        }
    }

    private static String describe(Node node) {
        if (isNull(node)) {
            return "no value";
        }
        if (node instanceof ScalarNode scalar) {
            return "the single value '" + scalar.getValue() + "'";
        }
        return node instanceof SequenceNode ? "a list" : "a mapping";
    }
}
