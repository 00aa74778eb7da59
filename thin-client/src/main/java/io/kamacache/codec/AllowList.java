package io.kamacache.codec;

import java.io.ObjectInputFilter;
import java.io.ObjectInputFilter.Status;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The one place that decides which classes Java serialization may handle, for writing and
 * for reading alike: an {@link ObjectInputFilter} built from the patterns followed by
 * {@code !*}, so whatever no pattern allows is refused. Arrays are judged by their element
 * class; primitives and arrays of them are always allowed, as they carry no behaviour.
 * Immutable and thread-safe.
 */
final class AllowList {

    /** Deeper nesting than any plain data needs, yet shallow enough to fail before the stack does. */
    static final int MAX_DEPTH = 1_000;
    static final long MAX_REFERENCES = 1_000_000;
    /** Bounds object arrays, whose length is allocated before a single element is read. */
    static final int MAX_ARRAY_LENGTH = 10_000_000;

    private static final String IDENTIFIER = "\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*";
    private static final Pattern CLASS_PATTERN =
            Pattern.compile(IDENTIFIER + "(\\." + IDENTIFIER + ")*(\\.\\*\\*|\\.\\*|\\*)?");
    private static final Pattern MODULE_NAME = Pattern.compile(IDENTIFIER + "(\\." + IDENTIFIER + ")*");

    private final List<String> patterns;
    private final ObjectInputFilter classFilter;

    AllowList(List<String> patterns) {
        this.patterns = List.copyOf(patterns);
        this.classFilter = ObjectInputFilter.Config.createFilter(String.join(";", this.patterns) + ";!*");
    }

    List<String> patterns() {
        return patterns;
    }

    /**
     * Checks that {@code pattern} is a class pattern that allows something but not
     * everything: a class ({@code com.x.Foo}), a package ({@code com.x.*}), a package and its
     * subpackages ({@code com.x.**}) or a name prefix ({@code com.x.Foo*}), optionally
     * preceded by {@code module/}. Rejections ({@code !}) and limits ({@code maxdepth=})
     * are refused: the list only adds classes, and the limits are the codec's own.
     */
    static String checkPattern(String pattern) {
        if (pattern == null || pattern.isBlank()) {
            throw new IllegalArgumentException("an allow-list pattern must not be empty");
        }
        if (pattern.startsWith("!")) {
            throw new IllegalArgumentException("'" + pattern
                    + "' is a rejection; the allow-list only names classes to allow, everything else is refused already");
        }
        if (pattern.contains("=")) {
            throw new IllegalArgumentException("'" + pattern
                    + "' is a limit, not a class pattern; the codec sets its own limits");
        }
        int slash = pattern.indexOf('/');
        String module = slash < 0 ? null : pattern.substring(0, slash);
        String classes = pattern.substring(slash + 1);
        if (classes.chars().allMatch(c -> c == '*' || c == '.')) {
            throw new IllegalArgumentException("'" + pattern
                    + "' would allow every class, which defeats the allow-list; name packages or classes");
        }
        if ((module != null && !MODULE_NAME.matcher(module).matches()) || !CLASS_PATTERN.matcher(classes).matches()) {
            throw new IllegalArgumentException("'" + pattern + "' is not a class pattern; write a class (com.example.Money),"
                    + " a package (com.example.model.*) or a package and its subpackages (com.example.model.**)");
        }
        return pattern;
    }

    /** Refuses {@code type} with a {@link CodecException} unless the list allows it. */
    void check(Class<?> type) {
        if (classFilter.checkInput(new ClassOnly(type)) == Status.REJECTED) {
            throw refused(type);
        }
    }

    /** A filter for reading one stream of {@code streamLength} bytes; it remembers why it refused. */
    ReadFilter readFilter(long streamLength) {
        return new ReadFilter(streamLength);
    }

    private CodecException refused(Class<?> type) {
        Class<?> element = type;
        while (element.isArray()) {
            element = element.getComponentType();
        }
        return new CodecException("class " + element.getName() + " is not in the serialization allow-list "
                + patterns + "; add it, or a pattern that covers it, under serialization.allow in the cache configuration");
    }

    /**
     * The filter of one read: the class patterns plus limits on depth, references and array
     * lengths, so hostile bytes cannot exhaust the stack or the heap. Not thread-safe; one per stream.
     */
    final class ReadFilter implements ObjectInputFilter {

        private final long streamLength;
        private CodecException refusal;

        private ReadFilter(long streamLength) {
            this.streamLength = streamLength;
        }

        /** Why the filter refused, or {@code null} if it did not. */
        CodecException refusal() {
            return refusal;
        }

        @Override
        public Status checkInput(FilterInfo info) {
            if (info.depth() > MAX_DEPTH) {
                return refuse(new CodecException("corrupt or hostile bytes: the serialized value nests deeper than "
                        + MAX_DEPTH + " objects, the codec's limit"));
            }
            if (info.references() > MAX_REFERENCES) {
                return refuse(new CodecException("corrupt or hostile bytes: the serialized value holds more than "
                        + MAX_REFERENCES + " object references, the codec's limit"));
            }
            Class<?> type = info.serialClass();
            if (type == null) {
                return Status.UNDECIDED;
            }
            if (type.isArray() && info.arrayLength() > arrayLimit(type)) {
                return refuse(new CodecException("corrupt or hostile bytes: a serialized " + type.getSimpleName()
                        + " claims " + info.arrayLength() + " elements, more than the codec accepts here ("
                        + arrayLimit(type) + ")"));
            }
            Status status = classFilter.checkInput(info);
            return status == Status.REJECTED ? refuse(refused(type)) : status;
        }

        // A primitive array's elements are at least a byte each in the stream, so a longer
        // claim is a lie meant to allocate; object arrays get the fixed bound.
        private long arrayLimit(Class<?> arrayType) {
            return arrayType.getComponentType().isPrimitive() ? streamLength : MAX_ARRAY_LENGTH;
        }

        private Status refuse(CodecException reason) {
            if (refusal == null) {
                refusal = reason;
            }
            return Status.REJECTED;
        }
    }

    /** What a filter is told about a class being written: the class alone, no stream position. */
    private record ClassOnly(Class<?> serialClass) implements ObjectInputFilter.FilterInfo {
        @Override
        public long arrayLength() {
            return -1;
        }

        @Override
        public long depth() {
            return 1;
        }

        @Override
        public long references() {
            return 0;
        }

        @Override
        public long streamBytes() {
            return 0;
        }
    }
}
