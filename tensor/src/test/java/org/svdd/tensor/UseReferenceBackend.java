package org.svdd.tensor;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit extension: the annotated test class runs with {@link ReferenceBackend} as the current backend, and the
 * previous one is restored afterwards. Use as {@code @ExtendWith(UseReferenceBackend.class)}.
 */
public final class UseReferenceBackend implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(UseReferenceBackend.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put("saved", Backends.current());
        Backends.setCurrent(new ReferenceBackend());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Backends.setCurrent(context.getStore(NS).get("saved", Backend.class));
    }
}
