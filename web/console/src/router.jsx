// In-page routing under /console with the History API.

export const base = '/console';

export function navigate(to) {
  history.pushState(null, '', base + to);
  window.dispatchEvent(new Event('console:navigate'));
}

// Link is an <a> that routes in the page.
export function Link({ to, children, ...rest }) {
  return (
    <a
      href={base + to}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(to);
      }}
      {...rest}
    >
      {children}
    </a>
  );
}
