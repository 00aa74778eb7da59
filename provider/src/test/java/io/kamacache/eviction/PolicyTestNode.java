package io.kamacache.eviction;

/** A named node of fixed weight, for driving policies by hand. */
final class PolicyTestNode extends EvictionNode {
    final String name;
    long weight;

    PolicyTestNode(String name, long weight) {
        this.name = name;
        this.weight = weight;
    }

    PolicyTestNode(String name) {
        this(name, 1);
    }

    @Override
    public Object key() {
        return name;
    }

    @Override
    public long weight() {
        return weight;
    }

    @Override
    public String toString() {
        return name;
    }
}
