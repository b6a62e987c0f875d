// Hash routes (#/session/<id>, #/archive, #/vault, #/fleet, #/settings): the back button and reloads work in the
// app and in a browser alike, and nothing is sent to the host.
import { useEffect, useState } from 'react';

export type Route =
  | { readonly screen: 'home' }
  | { readonly screen: 'session'; readonly id: string }
  | { readonly screen: 'archive' }
  | { readonly screen: 'settings' }
  | { readonly screen: 'vault' }
  | { readonly screen: 'fleet' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  if (parts[0] === 'session' && parts[1] && /^[0-9a-zA-Z-]{4,64}$/.test(parts[1])) return { screen: 'session', id: parts[1] };
  if (parts[0] === 'archive') return { screen: 'archive' };
  if (parts[0] === 'settings') return { screen: 'settings' };
  if (parts[0] === 'vault') return { screen: 'vault' };
  if (parts[0] === 'fleet') return { screen: 'fleet' };
  return { screen: 'home' };
}

export function href(route: Route): string {
  return route.screen === 'session' ? `#/session/${route.id}` : route.screen === 'home' ? '#/' : `#/${route.screen}`;
}

export function navigate(route: Route): void {
  window.location.hash = href(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
