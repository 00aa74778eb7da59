package io.kamacache.codec;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;

/**
 * An {@link ObjectInputStream} that finds classes with the cache's class loader, so values of
 * application classes can be read on threads whose own loader cannot see them. Classes are
 * loaded without being initialised; the stream's filter then decides whether they may be read.
 */
final class LoaderObjectInputStream extends ObjectInputStream {

    private final ClassLoader classLoader;

    LoaderObjectInputStream(InputStream in, ClassLoader classLoader) throws IOException {
        super(in);
        this.classLoader = classLoader;
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
        if (classLoader != null) {
            try {
                return Class.forName(desc.getName(), false, classLoader);
            } catch (ClassNotFoundException e) {
                // Fall through: the default also knows primitive types and the caller's loaders.
            }
        }
        return super.resolveClass(desc);
    }
}
