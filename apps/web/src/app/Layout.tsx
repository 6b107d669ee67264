import { NavLink, Outlet } from 'react-router';
import { ConnectionBanner } from '../components/ConnectionBanner';
import { TokenPrompt } from '../components/TokenPrompt';

/** The page frame: skip link, header with navigation, the page, the token prompt. */
export function Layout() {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <NavLink to="/" className="brand" end>
          Chunkwise
        </NavLink>
        <nav aria-label="Main">
          <NavLink to="/" end>
            Plans
          </NavLink>
          <NavLink to="/plans/new">New plan</NavLink>
          <NavLink to="/templates">Templates</NavLink>
          <a href="/api/docs">API</a>
        </nav>
      </header>
      <ConnectionBanner />
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
      <TokenPrompt />
    </>
  );
}
