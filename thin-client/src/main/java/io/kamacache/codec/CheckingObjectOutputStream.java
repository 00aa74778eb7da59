package io.kamacache.codec;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;

/**
 * An {@link ObjectOutputStream} that refuses, as it writes each class descriptor, every class
 * the allow-list would refuse on reading. A value that could not be read back is thus refused
 * when it is stored, where the caller can still act, instead of failing every later read.
 */
final class CheckingObjectOutputStream extends ObjectOutputStream {

    private final AllowList allowList;
    private final String valueType;

    /** @param valueType the class of the value being written, named when something inside it is refused */
    CheckingObjectOutputStream(OutputStream out, AllowList allowList, String valueType) throws IOException {
        super(out);
        this.allowList = allowList;
        this.valueType = valueType;
        enableReplaceObject(true);
    }

    /**
     * Sees every object before it is written. A non-serializable one is refused here with a
     * {@link CodecException} rather than left to {@link java.io.NotSerializableException}: an
     * IOException makes the stream write the exception itself into the stream, and that
     * exception's class, outside the allow-list, would be reported instead of the real problem.
     */
    @Override
    protected Object replaceObject(Object obj) {
        if (!(obj instanceof Serializable) && !obj.getClass().isArray()) {
            throw new CodecException("class " + obj.getClass().getName() + ", inside a value of class " + valueType
                    + ", does not implement java.io.Serializable; make it Serializable or the field holding it transient");
        }
        if (obj instanceof Throwable throwable && writingOwnFailure()) {
            throw new CodecException("cannot serialize a value of class " + valueType + ": " + throwable, throwable);
        }
        return obj;
    }

    /**
     * Whether the stream is recording into itself the IOException that stopped it (a
     * writeObject method failed): that exception is the problem to report, not its class
     * being outside the allow-list. Asked only for Throwables, so walking the stack is rare;
     * should the JDK rename the method, the allow-list refusal is reported instead.
     */
    private static boolean writingOwnFailure() {
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(frame ->
                frame.getClassName().equals(ObjectOutputStream.class.getName())
                        && frame.getMethodName().equals("writeFatalException")));
    }

    @Override
    protected void annotateClass(Class<?> type) {
        allowList.check(type);
    }

    @Override
    protected void annotateProxyClass(Class<?> type) {
        // A reader checks a proxy's interfaces, and then java.lang.reflect.Proxy via annotateClass.
        for (Class<?> implemented : type.getInterfaces()) {
            allowList.check(implemented);
        }
    }
}
