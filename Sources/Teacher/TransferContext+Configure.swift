import CCurl

extension TransferContext {
    /// Sets every option of the attempt on the freshly reset easy handle.
    func configure() -> CURLcode {
        let context = self
        let attempt = attempt
        let handle = easy
        for line in attempt.headerLines {
            guard let list = curl_slist_append(headerList, line) else { return CURLE_OUT_OF_MEMORY }
            headerList = list
        }
        let userdata = Unmanaged.passUnretained(context).toOpaque()
        let steps: [() -> CURLcode] = [
            { retort_curl_setopt_ptr(handle, CURLOPT_URL, attempt.url) },
            { retort_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1) },
            { retort_curl_setopt_long(handle, CURLOPT_TCP_NODELAY, 1) },
            { retort_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(attempt.limits.connect.milliseconds)) },
            { retort_curl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, context.errorBuffer) },
            { retort_curl_setopt_ptr(handle, CURLOPT_HTTPHEADER, context.headerList) },
            { retort_curl_setopt_write(handle, CURLOPT_HEADERFUNCTION, curlHeaderCallback) },
            { retort_curl_setopt_ptr(handle, CURLOPT_HEADERDATA, userdata) },
            { retort_curl_setopt_write(handle, CURLOPT_WRITEFUNCTION, curlWriteCallback) },
            { retort_curl_setopt_ptr(handle, CURLOPT_WRITEDATA, userdata) },
        ]
        for step in steps {
            let code = step()
            if code != CURLE_OK { return code }
        }
        return configureMethod()
    }

    /// Sets the method and body: `GET`, `HEAD`, `POST`, or any other verb with or without a body.
    private func configureMethod() -> CURLcode {
        let handle = easy
        let method = attempt.method.uppercased()
        if attempt.body.isEmpty && method == "GET" {
            return retort_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        }
        if attempt.body.isEmpty && method == "HEAD" {
            return retort_curl_setopt_long(handle, CURLOPT_NOBODY, 1)
        }
        if method != "POST" {
            let code = retort_curl_setopt_ptr(handle, CURLOPT_CUSTOMREQUEST, method)
            if code != CURLE_OK { return code }
            if attempt.body.isEmpty { return CURLE_OK }
        }
        let code = retort_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, attempt.body.count)
        if code != CURLE_OK { return code }
        // COPYPOSTFIELDS copies the bytes, so the body need not outlive this call.
        let empty: [UInt8] = [0]
        let bytes = attempt.body.isEmpty ? empty : attempt.body
        return bytes.withUnsafeBytes { retort_curl_setopt_ptr(handle, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) }
    }
}

/// Curl's header callback: forwards each header line to the transfer's context.
private func curlHeaderCallback(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userdata: UnsafeMutableRawPointer?
) -> Int {
    guard let (context, bytes) = callbackArguments(data, size * count, userdata) else { return 0 }
    context.receiveHeader(bytes)
    return bytes.count
}

/// Curl's write callback: forwards each body chunk; returning less than its size aborts,
/// `CURL_WRITEFUNC_PAUSE` pauses.
private func curlWriteCallback(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userdata: UnsafeMutableRawPointer?
) -> Int {
    guard let (context, bytes) = callbackArguments(data, size * count, userdata) else { return 0 }
    return context.receiveBody(bytes)
}

/// The transfer context behind a callback's `userdata` and its `length` bytes; nil when
/// curl passed no data or no context.
private func callbackArguments(
    _ data: UnsafeMutablePointer<CChar>?, _ length: Int, _ userdata: UnsafeMutableRawPointer?
) -> (TransferContext, UnsafeBufferPointer<UInt8>)? {
    guard let data, let userdata else { return nil }
    let context = Unmanaged<TransferContext>.fromOpaque(userdata).takeUnretainedValue()
    return (context, UnsafeBufferPointer(start: UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length))
}
