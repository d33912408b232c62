/**
 * WeChat's own toast over the page, as wx.showLoading / wx.showToast draw it:
 * a spinner while something is in flight, otherwise the error, if any.
 */
export function PhoneToast({ busy, error }: { busy?: string | null | undefined; error?: string | null | undefined }) {
  if (busy) {
    return (
      <div className="sim-toast" role="status">
        <span className="sim-toast__spinner" aria-hidden="true" />
        {busy}
      </div>
    );
  }
  if (error) {
    return (
      <div className="sim-toast sim-toast--error" role="status">
        {error}
      </div>
    );
  }
  return null;
}
