package dev.crmsync.core;

import dev.crmsync.crm.ChangeStream;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Simulates a process that dies at its N-th call to the CRM or the stores: wraps the real fakes in
 * proxies that count every call (change streams included) and, once armed, make the N-th call and
 * every later one throw before reaching the fake. Unarmed, it only counts.
 */
final class KillSwitch {

    /** What a dead process's calls throw. */
    static final class Killed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Killed(long call) {
            super("process killed at call " + call, null, false, false);
        }
    }

    private long killAt = Long.MAX_VALUE;
    private long calls;
    private boolean dead;

    /** @param n the call that kills the process, 1 being the next call from now */
    KillSwitch armAt(long n) {
        killAt = calls + n;
        return this;
    }

    long calls() {
        return calls;
    }

    boolean fired() {
        return dead;
    }

    <T> T wrap(Class<T> type, T target) {
        InvocationHandler handler = (proxy, method, args) -> invoke(target, method, args);
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    private Object invoke(Object target, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return method.invoke(target, args);
        }
        calls++;
        if (dead || calls >= killAt) {
            dead = true;
            throw new Killed(calls);
        }
        Object result;
        try {
            result = method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        if (result instanceof ChangeStream stream) {
            return wrap(ChangeStream.class, stream);
        }
        return result;
    }
}
