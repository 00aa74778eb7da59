/**
 * Keys and values as bytes. {@link io.kamacache.codec.Codec} writes a one-byte type tag and
 * then the value: strings as UTF-8, boxed primitives fixed-width and big-endian, byte arrays
 * as they are, so the common key types need neither Java serialization nor reflection and
 * equal values always give equal bytes. Any other value goes through Java serialization,
 * which is where deserialization attacks live, so it is fenced by an allow-list of class
 * patterns in {@link java.io.ObjectInputFilter} syntax: a small default of plain JDK data
 * classes plus what the configuration adds under {@code serialization.allow}. The same
 * filter judges every class twice: when a value is written, so a caller storing a class
 * outside the list is told at once and unreadable bytes are never stored, and when bytes are
 * read, so bytes from anywhere else cannot make the reader load and run other classes. Reads
 * also bound nesting depth, reference counts and array lengths, so hostile bytes cannot
 * exhaust the stack or the heap.
 */
package io.kamacache.codec;
