"use client";
import { createContext, type ReactNode, useContext, useState } from "react";
import { type StoreApi, useStore } from "zustand";

/**
 * The zustand Next.js pattern in one place: a store made once per provider mount (so per request,
 * never shared between users on the server), and a hook that throws outside its provider.
 */
export function createStoreContext<S, I>(name: string, create: (init: I) => StoreApi<S>) {
  const Context = createContext<StoreApi<S> | null>(null);

  function Provider({ init, children }: { init: I; children: ReactNode }) {
    const [store] = useState(() => create(init));
    return <Context value={store}>{children}</Context>;
  }

  function useBoundStore<T>(selector: (state: S) => T): T {
    const store = useContext(Context);
    if (!store) throw new Error(`use${name}Store must be used within ${name}StoreProvider`);
    return useStore(store, selector);
  }

  function useStoreApi(): StoreApi<S> {
    const store = useContext(Context);
    if (!store) throw new Error(`use${name}Store must be used within ${name}StoreProvider`);
    return store;
  }

  return { Provider, useBoundStore, useStoreApi };
}
