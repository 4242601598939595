package org.svdd.diffusion.model;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Config records to and from string maps (checkpoint metadata "prefix.field" = value). Supports int, long, double,
 * boolean, String, enums and int[] ("1,2,2"). Unknown or missing keys are errors that name the key, except fields
 * that the record's {@code public static final Map<String, String> DEFAULTS} names (fields added after checkpoints with
 * this config were written).
 */
public final class Configs {
    private Configs() {
    }

    public static Map<String, String> toMap(String prefix, Record config) {
        Map<String, String> m = new LinkedHashMap<>();
        for (RecordComponent c : config.getClass().getRecordComponents()) {
            try {
                Object v = c.getAccessor().invoke(config);
                String s = v instanceof int[] a ? String.join(",", Arrays.stream(a).mapToObj(Integer::toString).toList()) : String.valueOf(v);
                m.put(prefix + "." + c.getName(), s);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return m;
    }

    /** Builds a config of type from the keys under prefix; other prefixes are ignored. */
    public static <R extends Record> R fromMap(String prefix, Class<R> type, Map<String, String> map) {
        RecordComponent[] cs = type.getRecordComponents();
        Set<String> known = new TreeSet<>();
        for (RecordComponent c : cs) known.add(prefix + "." + c.getName());
        for (String k : map.keySet()) {
            if (k.startsWith(prefix + ".") && !known.contains(k)) throw new IllegalArgumentException("unknown config key '" + k + "' (known: " + known + ")");
        }
        Map<String, String> defaults = defaults(type);
        Object[] args = new Object[cs.length];
        Class<?>[] types = new Class<?>[cs.length];
        for (int i = 0; i < cs.length; i++) {
            String key = prefix + "." + cs[i].getName();
            String v = map.getOrDefault(key, defaults.get(cs[i].getName()));
            if (v == null) throw new IllegalArgumentException("config key '" + key + "' missing");
            types[i] = cs[i].getType();
            try {
                args[i] = parse(types[i], v.trim());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("config key '" + key + "': cannot read '" + v + "' as " + types[i].getSimpleName());
            }
        }
        try {
            return type.getDeclaredConstructor(types).newInstance(args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new IllegalArgumentException("invalid " + type.getSimpleName() + ": " + e.getCause().getMessage(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> defaults(Class<? extends Record> type) {
        try {
            return (Map<String, String>) type.getField("DEFAULTS").get(null);
        } catch (NoSuchFieldException e) {
            return Map.of();
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object parse(Class<?> t, String v) {
        if (t == int.class) return Integer.parseInt(v);
        if (t == long.class) return Long.parseLong(v);
        if (t == double.class) return Double.parseDouble(v);
        if (t == boolean.class) {
            if (!v.equals("true") && !v.equals("false")) throw new IllegalArgumentException(v);
            return Boolean.parseBoolean(v);
        }
        if (t == String.class) return v;
        if (t == int[].class) return v.isEmpty() ? new int[0] : Arrays.stream(v.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        if (t.isEnum()) return Enum.valueOf((Class) t, v);
        throw new IllegalArgumentException("unsupported config type " + t);
    }
}
