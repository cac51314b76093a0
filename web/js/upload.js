// Attachments, however large: a file of one part (1 MiB) goes up in one
// request; a larger one is declared (POST /uploads), sent a part at a
// time at the offset the server holds (PUT /uploads/{id}), then attached
// with ?upload={id}. onProgress(sent, total) follows the bytes.
import { api } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';

export const PART_SIZE = 1 << 20;

export async function uploadAttachment(ticketId, file, { internal = false, onProgress } = {}) {
  const type = file.type || 'application/octet-stream';
  const base = `/tickets/${ticketId}/attachments?internal=${internal}`;
  if (onProgress) onProgress(0, file.size);
  if (file.size <= PART_SIZE) {
    const a = await api('POST', `${base}&filename=${encodeURIComponent(file.name)}`, file, { raw: true, contentType: type });
    if (onProgress) onProgress(file.size, file.size);
    return a;
  }
  const up = await api('POST', '/uploads', { filename: file.name, size: file.size, content_type: type });
  try {
    let offset = up.offset;
    while (offset < file.size) {
      const part = file.slice(offset, offset + up.part_size);
      const r = await api('PUT', `/uploads/${up.id}`, part,
        { raw: true, contentType: 'application/octet-stream', headers: { 'Upload-Offset': String(offset) } });
      offset = r.offset;
      if (onProgress) onProgress(offset, file.size);
    }
    return await api('POST', `${base}&upload=${up.id}`);
  } catch (ex) {
    // an upload that cannot finish is not left to expire
    api('DELETE', `/uploads/${up.id}`).catch(() => {});
    throw ex;
  }
}

// A progress line for a form: hidden until a file goes up.
export function uploadProgress() {
  return h('p', { class: 'upload-progress', role: 'status', hidden: true },
    h('progress', { max: '100', value: '0' }), h('span', {}));
}

// The onProgress of uploadAttachment, shown in el (from uploadProgress).
export function showProgress(el, file) {
  return (sent, total) => {
    const pct = total ? Math.floor((sent * 100) / total) : 100;
    el.hidden = false;
    el.querySelector('progress').value = pct;
    el.querySelector('span').textContent = t('upload.progress', { name: file.name, pct });
  };
}
